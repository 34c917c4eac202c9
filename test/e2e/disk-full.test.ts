// A full disk under the compiled executable (a real 4 MiB tmpfs as DATA_DIR, so root only): a write answers
// a clear envelope, /health says degraded (503) until a write succeeds again, and nothing crashes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDb, openDb } from "../../src/store/db.ts";
import { buildBinary, type Running, startBinary } from "../helpers/binary.ts";

const isRoot = process.getuid?.() === 0;
let dir: string;
let data: string;
let running: Running | undefined;

beforeAll(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), "farm-full-"));
  data = join(dir, "data");
  mkdirSync(data);
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", data]);
  if (mount.exitCode !== 0) throw new Error(`mount tmpfs: ${mount.stderr.toString()}`);
  copyFileSync(await buildBinary(), join(dir, "farm-tasks"));
  // a phone the service has seen, so accounts can be written without adb
  const db = openDb(join(data, "farm.db"));
  db.$client.exec(
    "insert into devices (serial, transport, state, first_seen, last_seen) values ('FULL1', 'usb', 'offline', 0, 0)",
  );
  closeDb(db);
});
afterAll(async () => {
  if (!isRoot) return;
  running?.proc.kill("SIGKILL");
  await running?.proc.exited;
  // lazy: detaches even if a file handle lingers a moment after the process exit
  Bun.spawnSync(["umount", "-l", data]);
  rmSync(dir, { recursive: true, force: true });
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${running?.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { code: number; message: string } };
};
const account = (i: number) => ({
  platform: "tiktok",
  device: "FULL1",
  username: `user${i}_${"x".repeat(40)}`,
  password: "p".repeat(400),
});

test.skipIf(!isRoot)(
  "a write on a full disk: clear envelope, /health 503, and back to ok once space is free",
  async () => {
    running = await startBinary(join(dir, "farm-tasks"), ["--data-dir", data], dir);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    // fill the disk, leaving the database no room to grow
    const filler = join(data, "filler");
    try {
      writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
    } catch {}
    let failed: { status: number; json: { code: number; message: string } } | undefined;
    for (let i = 0; i < 2000 && !failed; i++) {
      const r = await post("/api/v1/accounts", account(i));
      if (r.json.code !== 0) failed = r;
    }
    expect(failed?.json.code).toBe(50001);
    expect(failed?.json.message).toContain(`the disk holding DATA_DIR (${data}) is full`);
    const sick = await fetch(`${running.url}/health`);
    expect(sick.status).toBe(503);
    expect(await sick.json()).toMatchObject({ status: "degraded", db: "error" });

    rmSync(filler);
    const healthy = await fetch(`${running.url}/health`);
    expect(healthy.status).toBe(200);
    expect((await post("/api/v1/accounts", account(99_999))).json.code).toBe(0);
    running.proc.kill("SIGTERM");
    expect(await running.proc.exited).toBe(0);
  },
  60_000,
);
