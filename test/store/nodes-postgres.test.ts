// Two PCs on one PostgreSQL, one of them killed (-9) mid-task: once its heartbeat has stood still for the
// lease, the survivor fails its running tasks "interrupted: node pc-a stopped" (never run again) and takes
// over the phone both see; the phone only the dead node saw keeps its queue. The killed node, started again,
// rejoins and runs it, and no task runs twice. Both clocks run 10× faster (the lease's 30 s in 3 s): the
// survivor in-process, the killed one from source (FARM_TEST_CLOCK_RATE). And a node taken as stopped while
// it was alive gives up the runs whose leases went.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { LeaseStore } from "../../src/store/leases.ts";
import { fasterClock } from "../../src/tasks/clock.ts";
import { freePort } from "../helpers/ports.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { call, FROM_SOURCE, type Running, startBinary } from "../helpers/process.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

const RATE = 10;
let pg: PrivatePostgres;
let only: VirtualPhone;
let shared: VirtualPhone;
let survivor: TestService | undefined;
let fenced: TestService | undefined;
const procs: Running[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (skipPostgres) return;
  pg = await startPostgres();
  only = await VirtualPhone.start({ serial: "ONLY", popups: false });
  shared = await VirtualPhone.start({ serial: "SHARED", popups: false });
});

afterAll(async () => {
  for (const p of procs) {
    p.proc.kill("SIGKILL");
    await p.proc.exited;
  }
  await survivor?.stop();
  await fenced?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await only?.stop();
  await shared?.stop();
  pg?.stop();
});

test.skipIf(skipPostgres)(
  "a node killed mid-task: its running tasks fail interrupted after the lease, the survivor takes the shared phone, the node rejoins",
  async () => {
    const url = await pg.database("farm_nodes");
    survivor = await startTestService(
      { database: url, node: "pc-b" },
      { clock: fasterClock(RATE), pollMs: 200, scripts: [testScript] },
    );
    const b = survivor;
    await b.start();
    const dirA = mkdtempSync(join(tmpdir(), "farm-node-a-"));
    dirs.push(dirA);
    copyFileSync(join(b.dir, "secret.key"), join(dirA, "secret.key"));
    const adbPort = await freePort();
    const startA = async () => {
      const a = await startBinary(
        FROM_SOURCE,
        ["--data-dir", dirA, "--database", url, "--node", "pc-a", "--adb", `127.0.0.1:${adbPort}`],
        dirA,
        { FARM_TEST_CLOCK_RATE: String(RATE), FARM_TEST_SCRIPTS: "1" },
      );
      procs.push(a);
      return a;
    };
    let a = await startA();
    const onlySerial = `${only.host}:${only.port}`;
    const sharedSerial = `${shared.host}:${shared.port}`;
    for (const phone of [only, shared]) {
      const r = await call(a.url, "POST", "/api/v1/device/connect", {
        host: phone.host,
        port: phone.port,
        direct: true,
      });
      expect(r.body.code).toBe(0);
    }
    const create = async (serial: string, seconds: number) => {
      const r = await call(a.url, "POST", "/api/v1/task", {
        serials: [serial],
        script_name: "test_sleep",
        script_config: { seconds },
      });
      expect(r.body.code).toBe(0);
      return r.body.data.task_ids[0] as number;
    };
    // pc-a runs a long task on each phone (600 s of its clock: a minute)
    const longOnly = await create(onlySerial, 600);
    const longShared = await create(sharedSerial, 600);
    const leases = new LeaseStore(b.db, { openConfig: (c: string) => c } as never);
    await waitFor(
      "pc-a running both phones",
      async () => {
        const held = await leases.holders();
        return held.get(onlySerial) === "pc-a" && held.get(sharedSerial) === "pc-a";
      },
      20_000,
    );
    // what waits behind them; then pc-b sees the shared phone too, but its lease is pc-a's
    const nextShared = await create(sharedSerial, 1);
    const nextOnly = await create(onlySerial, 1);
    await b.deviceService.connect(shared.host, shared.port, true);
    await waitFor("pc-b sees the shared phone", () => b.deviceService.onlineSerials().includes(sharedSerial));
    b.runner.wake();
    await Bun.sleep(500);
    expect((await b.tasks.get(nextShared))?.status).toBe(0);
    expect(b.runner.runningTasks().size).toBe(0);

    a.proc.kill("SIGKILL");
    await a.proc.exited;
    const killedAt = performance.now();
    const failed = await waitFor(
      "pc-a's running tasks failed",
      async () => {
        const rows = await Promise.all([longOnly, longShared].map((id) => b.tasks.get(id)));
        return rows.every((r) => r?.status === 3) && rows;
      },
      20_000,
    );
    const after = performance.now() - killedAt;
    console.log(`[bench] pc-a's tasks failed ${(after / 1000).toFixed(1)} s after kill -9`);
    for (const row of failed) {
      expect(row).toMatchObject({
        error: "interrupted: node pc-a stopped",
        failureReason: "interrupted",
        errorClass: "permanent",
        retryCount: 0,
      });
    }
    // the survivor takes the shared phone over and runs what waited on it
    const done = await waitFor(
      "the shared phone's next task done on pc-b",
      async () => (await b.tasks.get(nextShared))?.status === 2,
      20_000,
    );
    expect(done).toBe(true);
    // the phone only pc-a sees keeps its queue
    expect((await b.tasks.get(nextOnly))?.status).toBe(0);
    // shown offline, with why, even after the farm's phone list is read again
    expect((await b.call("GET", `/api/v1/device/${onlySerial}`)).body.data).toMatchObject({
      state: "offline",
      hint: "node pc-a, which ran it, stopped: it is back when pc-a is",
    });
    expect((await b.call("GET", `/api/v1/task/${nextOnly}`)).body.data.waiting_for).toMatchObject({
      reason: "phone_offline",
      message: `phone ${onlySerial} is offline: node pc-a, which ran it, stopped; it starts when pc-a is back`,
    });

    // pc-a starts again under its name: it rejoins and runs its phone's queue; nothing runs twice
    a = await startA();
    await waitFor(
      "the killed node's phone's task done",
      async () => (await b.tasks.get(nextOnly))?.status === 2,
      30_000,
    );
    for (const id of [longOnly, longShared]) {
      const row = await b.tasks.get(id);
      expect(row).toMatchObject({ status: 3, error: "interrupted: node pc-a stopped", retryCount: 0 });
    }
    for (const id of [longOnly, longShared, nextShared, nextOnly]) {
      const started = (await b.tasks.logs(id)).filter((l) => l.message.startsWith("started on"));
      expect(started.length).toBe(1);
    }
    // a lease goes back just after its run's end is saved: looked at until then
    await waitFor("every lease given back", async () => (await leases.holders()).size === 0, 10_000);
  },
  90_000,
);

test.skipIf(skipPostgres)(
  "a node taken as stopped while it was only cut off: on its next beat it aborts the runs whose leases went",
  async () => {
    const url = await pg.database("farm_fence");
    const c = await startTestService(
      { database: url, node: "pc-c" },
      { clock: fasterClock(RATE), pollMs: 200, scripts: [testScript] },
    );
    fenced = c;
    await c.start();
    await c.deviceService.connect(only.host, only.port, true);
    const serial = `${only.host}:${only.port}`;
    await waitFor("online", () => c.deviceService.onlineSerials().includes(serial));
    const created = await c.call("POST", "/api/v1/task", {
      serials: [serial],
      script_name: "test_sleep",
      script_config: { seconds: 600 },
    });
    const id = created.body.data.task_ids[0] as number;
    await waitFor("running", () => c.runner.runningOn(serial) === id);
    // what another node does once it takes pc-c as stopped
    const leases = new LeaseStore(c.db, undefined as never);
    expect(await leases.failRunning("pc-c", "interrupted: node pc-c stopped", Date.now())).toEqual([id]);
    await waitFor("the run aborted", () => c.runner.runningOn(serial) === undefined, 10_000);
    expect(await c.tasks.get(id)).toMatchObject({
      status: 3,
      error: "interrupted: node pc-c stopped",
      retryCount: 0,
    });
    const logs = (await c.tasks.logs(id)).map((l) => l.message);
    expect(logs.filter((m) => m.startsWith("started on"))).toHaveLength(1);
    expect(logs.some((m) => m.includes("failed (permanent): interrupted: node pc-c stopped"))).toBe(true);
  },
);
