// The data folder is made private on Linux and macOS, but a shared folder it is pointed at stays reachable.
import { afterEach, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePrivateDataDir } from "../../src/data-dir.ts";

const root = mkdtempSync(join(tmpdir(), "farm-data-dir-"));
const umask = process.umask(0o022);
process.umask(umask);
afterEach(() => process.umask(umask));
const mode = (path: string) => statSync(path).mode & 0o7777;

test("a new folder is 0700, an existing data folder is tightened to 0700", () => {
  const fresh = join(root, "fresh", "data");
  ensurePrivateDataDir(fresh, "linux");
  expect(mode(fresh)).toBe(0o700);
  const wide = join(root, "wide");
  mkdirSync(wide);
  chmodSync(wide, 0o755);
  ensurePrivateDataDir(wide, "linux");
  expect(mode(wide)).toBe(0o700);
});

test("a sticky shared folder (like /tmp) keeps its mode", () => {
  const shared = join(root, "shared");
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  ensurePrivateDataDir(shared, "darwin");
  expect(mode(shared)).toBe(0o1777);
});

test("on Windows nothing is chmod'ed and the umask is left alone", () => {
  const win = join(root, "win");
  mkdirSync(win);
  chmodSync(win, 0o755);
  ensurePrivateDataDir(win, "win32");
  expect(mode(win)).toBe(0o755);
  expect(process.umask()).toBe(umask);
  rmSync(root, { recursive: true, force: true });
});
