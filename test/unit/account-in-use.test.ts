// The account each app on a phone last showed in use: what a device-mode post is checked against at creation.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccountStore, type SeenAccounts } from "../../src/store/accounts.ts";
import { closeDb, type Db, openDb } from "../../src/store/db.ts";
import { openSecretBox } from "../../src/store/secret-box.ts";

let dir: string;
let db: Db;
let accounts: AccountStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-in-use-"));
  db = openDb(join(dir, "farm.db"));
  accounts = new AccountStore(db, await openSecretBox(db, dir));
});
afterEach(async () => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

const read = async (seen: Partial<SeenAccounts>, at: number) =>
  await accounts.recordSeen(
    {
      serial: "P1",
      platform: "tiktok",
      packagename: "com.zhiliaoapp.musically",
      usernames: [],
      complete: true,
      ...seen,
    },
    at,
  );

test("never read: unknown; then the last read wins, per phone and app", async () => {
  expect(await accounts.inUseOn("P1", "tiktok")).toBeNull();
  await read({ usernames: ["alice", "bob"], inUse: "alice" }, 1000);
  await read({ usernames: ["bob"], complete: false, inUse: "bob" }, 2000);
  expect(await accounts.inUseOn("P1", "tiktok")).toEqual({ username: "bob", at: 2000 });
  expect(await accounts.inUseOn("P1", "instagram")).toBeNull();
  expect(await accounts.inUseOn("P2", "tiktok")).toBeNull();
});

test("a full read with no account signed in: none in use any more", async () => {
  await read({ usernames: ["alice"], inUse: "alice" }, 1000);
  await read({ usernames: [] }, 2000);
  expect(await accounts.inUseOn("P1", "tiktok")).toEqual({ username: null, at: 2000 });
});
