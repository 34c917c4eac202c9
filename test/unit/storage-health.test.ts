// StorageHealth on a real database file: the file's identity (what tells a removed data folder), and the
// comparison that must never fire falsely where inodes are 0 (some Windows file systems).
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDb, fileIdentity, openDb, StorageHealth, sameFile } from "../../src/store/db.ts";
import { loggerInto } from "../helpers/log.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), "farm-storage-"));
  dirs.push(dir);
  return { dir, file: join(dir, "farm.db") };
};

test("sameFile: another inode or no file is not the same; inode 0 (win32 file systems) compares presence only", () => {
  const opened = { dev: 5n, ino: 42n };
  expect(sameFile(opened, { dev: 5n, ino: 42n })).toBe(true);
  expect(sameFile(opened, { dev: 5n, ino: 43n })).toBe(false);
  expect(sameFile(opened, { dev: 6n, ino: 42n })).toBe(false);
  expect(sameFile(opened, null)).toBe(false);
  // a file that cannot be read for another reason is not known to be gone
  expect(sameFile(opened, "unknown")).toBe(true);
  // Windows: ino 0 on some file systems, and an open file cannot be deleted there anyway
  expect(sameFile({ dev: 7n, ino: 0n }, { dev: 7n, ino: 0n })).toBe(true);
  expect(sameFile({ dev: 7n, ino: 0n }, { dev: 7n, ino: 9n })).toBe(true);
  expect(sameFile({ dev: 7n, ino: 0n }, null)).toBe(false);
});

test("fileIdentity: stable for the same file, null once it is gone", () => {
  const { dir, file } = fresh();
  const db = openDb(file);
  const id = fileIdentity(file);
  expect(id).not.toBeNull();
  expect(fileIdentity(file)).toEqual(id);
  expect(fileIdentity(join(dir, "nothing"))).toBeNull();
  expect(fileIdentity(join(file, "below-a-file"))).toBeNull();
  closeDb(db);
});

test("the database file removed: gone, refused for good, said once", () => {
  const { dir, file } = fresh();
  const db = openDb(file);
  const lines: string[] = [];
  const storage = new StorageHealth(db, dir, file, loggerInto(lines));
  expect(storage.problem()).toBeNull();
  expect(storage.gone()).toBeNull();
  rmSync(dir, { recursive: true, force: true });
  expect(storage.gone()).toContain(`the data folder ${dir} was removed or replaced`);
  expect(storage.healthy()).toBe(false);
  expect(storage.problem()).toContain("restart the service");
  expect(lines).toHaveLength(1);
  closeDb(db);
});

test("a storage failure degrades until the probe's write succeeds; other errors are not storage failures", () => {
  const { dir, file } = fresh();
  const db = openDb(file);
  const storage = new StorageHealth(db, dir, file);
  expect(storage.failure(new Error("boom"))).toBeNull();
  expect(storage.failure(Object.assign(new Error("full"), { code: "SQLITE_FULL" }))).toContain("is full");
  // here the disk has room: the probe writes (and removes) its row, and the store is healthy again
  expect(storage.problem()).toBeNull();
  expect(db.$client.query("select count(*) as n from storage_probe").get()).toEqual({ n: 0 });
  closeDb(db);
});
