// A full disk under the compiled executable (a real small tmpfs as DATA_DIR, so root only): a write answers
// a clear envelope, /health says degraded (503) until a write succeeds again, and nothing crashes; tasks
// running while the disk fills end as they really ended once space is freed, and none starts meanwhile.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { closeDb, openDb } from "../../src/store/db.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

const isRoot = process.getuid?.() === 0;
let dir: string;
let data: string;
let running: Running | undefined;
let adb: AdbServer | undefined;
const phones: VirtualPhone[] = [];

beforeAll(async () => {
  if (!isRoot) return;
  dir = mkdtempSync(join(tmpdir(), "farm-full-"));
  data = join(dir, "data");
  mkdirSync(data);
  mountTmpfs(data, "4m");
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
  for (const p of phones) await p.stop();
  await adb?.stop();
  // lazy: detaches even if a file handle lingers a moment after the process exit
  for (const mounted of [data, join(dir, "tasks-data")]) Bun.spawnSync(["umount", "-l", mounted]);
  rmSync(dir, { recursive: true, force: true });
});

function mountTmpfs(at: string, size: string) {
  const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", at]);
  if (mount.exitCode !== 0) throw new Error(`mount tmpfs: ${mount.stderr.toString()}`);
}

/** Writes into `file` until the disk holding it has no byte left. */
function fill(file: string) {
  try {
    writeFileSync(file, Buffer.alloc(64 * 1024 * 1024));
  } catch {}
}

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
    fill(filler);
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

test.skipIf(!isRoot)(
  "tasks running while the disk fills end as they ended once space is free; none starts meanwhile",
  async () => {
    const tasksData = join(dir, "tasks-data");
    mkdirSync(tasksData);
    mountTmpfs(tasksData, "8m");
    adb = await startAdbServer();
    for (let i = 0; i < 3; i++) phones.push(await VirtualPhone.start({ serial: `FULLT${i}`, popups: false }));
    // the Free plan: 2 phones at once
    const svc = await startBinary(
      join(dir, "farm-tasks"),
      ["--data-dir", tasksData, "--adb", `127.0.0.1:${adb.port}`, "--retry-max", "0"],
      dir,
      { FARM_TEST_SCRIPTS: "1" },
    );
    running = svc;
    const api = async (method: string, path: string, body?: unknown) =>
      (await call(svc.url, method, path, body)).body;
    const serials = phones.map((p) => `${p.host}:${p.port}`);
    for (const p of phones) {
      expect((await api("POST", "/api/v1/device/connect", { host: p.host, port: p.port })).code).toBe(0);
    }
    await waitFor(
      "phones online",
      async () =>
        (await api("GET", "/api/v1/device")).data.devices.filter(
          (d: { state: string }) => d.state === "online",
        ).length === 3,
      15_000,
    );
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await api("POST", "/api/v1/task", {
        serials,
        script_name: "test_sleep",
        script_config: { seconds: 2 },
      });
      expect(r.code).toBe(0);
      ids.push(...r.data.task_ids);
    }
    const markers = () =>
      phones.reduce((n, p) => n + p.commands.filter((c) => c.command.includes("echo farm-task-")).length, 0);
    let maxRunning = 0;
    const stats = async () => {
      const s = (await api("GET", "/api/v1/task/stats")).data;
      maxRunning = Math.max(maxRunning, s.running);
      return s as { running: number; completed: number; failed: number; pending: number };
    };
    await waitFor("two running", async () => (await stats()).running === 2, 15_000);

    // fill the disk while they run; a few writes of our own make sure the database has no room left
    const filler = join(tasksData, "filler");
    fill(filler);
    for (let i = 0; i < 2000; i++) {
      if ((await post("/api/v1/accounts", { ...account(i), device: serials[0] })).json.code !== 0) break;
    }
    // both runs end on the phone; their ends cannot be written
    const unsaved = () => [...svc.log().matchAll(/task (\d+): completed, but not saved yet/g)].length;
    await waitFor("ends the disk refused", () => unsaved() >= 2, 20_000);
    const sick = await call(svc.url, "GET", "/health");
    expect(sick.status).toBe(503);
    expect((sick.body as unknown as { reason: string }).reason).toContain("is full");
    // the rows still say running (their slots are held), and no other task started on the phones
    const held = await stats();
    expect(held.running).toBe(2);
    expect(markers()).toBe(held.running + held.completed + held.failed);
    // a stop meanwhile is refused at once with the reason (it used to wait until the disk took writes)
    const heldId = Number(/task (\d+): completed, but not saved yet/.exec(svc.log())?.[1]);
    const stop = await call(svc.url, "POST", `/api/v1/task/${heldId}/stop`);
    expect(stop.body.code).toBe(50001);
    expect(stop.body.message).toContain("is full");

    rmSync(filler);
    await waitFor(
      "every task ended",
      async () => {
        const s = await stats();
        return s.completed + s.failed === ids.length;
      },
      30_000,
    );
    expect((await stats()).completed).toBe(ids.length);
    expect(maxRunning).toBeLessThanOrEqual(2);
    // each ran once, and the held ones kept their log
    expect(markers()).toBe(ids.length);
    const firstHeld = Number(/task (\d+): completed, but not saved yet/.exec(svc.log())?.[1]);
    const logs = (await api("GET", `/api/v1/task/${firstHeld}`)).data.logs as { message: string }[];
    expect(logs.map((l) => l.message)).toContain("completed");
    expect(svc.log()).toContain(`task ${firstHeld}: completed, saved now that the disk takes writes again`);
    expect((await fetch(`${svc.url}/health`)).status).toBe(200);
    svc.proc.kill("SIGTERM");
    expect(await svc.proc.exited).toBe(0);
  },
  120_000,
);
