// A backup while the service runs (it holds farm.db alone): POST /api/v1/backup writes a copy of the
// database and of the key file its secrets need, and a service started on the two has everything back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { buildBinary, call, type ServiceProcess, startBinary, startService } from "../helpers/binary.ts";
import { freePort } from "../helpers/ports.ts";
import { waitFor } from "../helpers/wait.ts";

let service: ServiceProcess;
const restored = mkdtempSync(join(tmpdir(), "farm-restored-"));

beforeAll(async () => {
  service = await startService(["--simulate", "1"]);
}, 60_000);
afterAll(async () => {
  await service?.stop();
  rmSync(restored, { recursive: true, force: true });
});

test("a backup taken while running restores, with its key file, to the same data", async () => {
  // something whose secret is sealed with secret.key: an account's password
  const serial = await waitFor(
    "the demo phone",
    async () => (await call(service.url, "GET", "/api/v1/device")).body.data.devices[0]?.serial as string,
    20_000,
  );
  const account = await call(service.url, "POST", "/api/v1/accounts", {
    device: serial,
    platform: "tiktok",
    username: "backup.check",
    password: "a-password-to-keep",
  });
  expect(account.body.code).toBe(0);
  const first = await call(service.url, "POST", "/api/v1/backup");
  const second = await call(service.url, "POST", "/api/v1/backup");
  expect(first.body.code).toBe(0);
  const backup = first.body.data;
  expect(dirname(backup.file)).toBe(join(service.dataDir, "backups"));
  expect(basename(backup.file)).toMatch(/^farm-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z(-\d+)?\.db$/);
  expect(backup.key_file).toBe(backup.file.replace(/\.db$/, ".secret.key"));
  expect(readFileSync(backup.key_file)).toEqual(readFileSync(join(service.dataDir, "secret.key")));
  expect(backup.bytes).toBeGreaterThan(0);
  // two at once never overwrite each other
  expect(second.body.data.file).not.toBe(backup.file);
  expect(existsSync(second.body.data.file)).toBe(true);

  // restore: the two files as farm.db and secret.key of a new data folder
  const dataDir = join(restored, "data");
  mkdirSync(dataDir);
  copyFileSync(backup.file, join(dataDir, "farm.db"));
  copyFileSync(backup.key_file, join(dataDir, "secret.key"));
  const again = await startBinary(
    await buildBinary(),
    ["--data-dir", dataDir, "--adb", `127.0.0.1:${await freePort()}`],
    restored,
  );
  try {
    const accounts = (await call(again.url, "GET", "/api/v1/accounts")).body.data.accounts;
    expect(accounts.map((a: { username: string }) => a.username)).toContain("backup.check");
  } finally {
    again.proc.kill("SIGKILL");
    await again.proc.exited;
  }
}, 60_000);
