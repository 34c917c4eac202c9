// A database is one connection's: a second open is refused at once (a running service's farm.db is its own),
// and closeDb lets the next one in at once, prepared statements or not (a restart in the same process).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDb, DatabaseLocked, openDb } from "../../src/store/db.ts";

const dir = mkdtempSync(join(tmpdir(), "farm-db-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a second open is refused while the first is open; after closeDb the next one opens", () => {
  const file = join(dir, "farm.db");
  const first = openDb(file);
  // the stores' statements are prepared (drizzle's too): one still alive must not keep the lock past closeDb
  const insert = first.$client.prepare(
    "insert into devices (serial, transport, state, first_seen, last_seen) values ('LOCK1', 'usb', 'offline', 0, 0)",
  );
  insert.run();
  expect(() => openDb(file)).toThrow(DatabaseLocked);
  closeDb(first);
  const next = openDb(file);
  expect(next.$client.query("select serial from devices").all()).toEqual([{ serial: "LOCK1" }]);
  closeDb(next);
});
