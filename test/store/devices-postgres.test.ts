// Two PCs (nodes) in one process on one PostgreSQL, each with its own fleet and virtual phones: the farm's
// device rows say which node holds each phone. A node's start does not mark the other's phones offline nor
// attach them; a phone seen by both stays online when one node loses it, and is taken over at the next beat
// when its holder gives it up; either node lists every phone with `node`, and every task with the node that
// ran it; a pending task is explained from the node that holds its phone; a node's rows are brought in line
// with what it sees at each beat. Clocks run 10× faster (a beat
// every second).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { DeviceStore } from "../../src/store/devices.ts";
import { fasterClock } from "../../src/tasks/clock.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

const RATE = 10;
let pg: PrivatePostgres;
let onlyA: VirtualPhone;
let onlyB: VirtualPhone;
let shared: VirtualPhone;
const services: TestService[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (skipPostgres) return;
  pg = await startPostgres();
  const start = (serial: string) => VirtualPhone.start({ serial, popups: false });
  [onlyA, onlyB, shared] = await Promise.all([start("ONLY-A"), start("ONLY-B"), start("SHARED")]);
});

afterAll(async () => {
  for (const s of services) await s.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  for (const phone of [onlyA, onlyB, shared]) await phone?.stop();
  pg?.stop();
});

const options = { clock: fasterClock(RATE), pollMs: 200, scripts: [testScript] };

/** Attaches the phones directly to `s`, and waits until it sees them online. */
async function attach(s: TestService, ...phones: VirtualPhone[]) {
  for (const phone of phones) await s.deviceService.connect(phone.host, phone.port, true);
  const serials = phones.map((p) => p.address);
  await waitFor("online", () => serials.every((serial) => s.deviceService.onlineSerials().includes(serial)));
}

/** The farm's phones as `s` lists them: serial → "state@node". */
async function listed(s: TestService, query = ""): Promise<Record<string, string>> {
  const r = await s.call("GET", `/api/v1/device${query}`);
  expect(r.body.code).toBe(0);
  return Object.fromEntries(
    (r.body.data.devices as { serial: string; state: string; node: string | null }[]).map((d) => [
      d.serial,
      `${d.state}@${d.node}`,
    ]),
  );
}

const create = (s: TestService, phone: VirtualPhone, seconds: number) => s.sleepTask(phone.address, seconds);

test.skipIf(skipPostgres)(
  "two nodes on one farm: each holds its phones, lists the other's, and leaves them alone at start",
  async () => {
    const url = await pg.database("farm_devices");
    const a = await startTestService({ database: url, node: "pc-a" }, options);
    services.push(a);
    await a.start();
    await attach(a, onlyA, shared);
    const ranOnA = await create(a, onlyA, 0.2);
    await waitFor("the task done on pc-a", async () => (await a.tasks.get(ranOnA))?.status === 2, 15_000);

    // pc-b starts on the same farm: pc-a's phones stay online and are not attached by pc-b
    const dirB = mkdtempSync(join(tmpdir(), "farm-node-b-"));
    dirs.push(dirB);
    copyFileSync(join(a.dir, "secret.key"), join(dirB, "secret.key"));
    const b = await startTestService({ database: url, node: "pc-b", dataDir: dirB }, options);
    services.push(b);
    expect(await listed(b)).toEqual({
      [onlyA.address]: "online@pc-a",
      [shared.address]: "online@pc-a",
    });
    await b.start();
    expect(b.fleet.get(onlyA.address)).toBeUndefined();
    expect(b.fleet.get(shared.address)).toBeUndefined();

    // pc-b attaches its own phone and the shared one, which it now holds (the last to see it online)
    await attach(b, onlyB, shared);
    const farm = {
      [onlyA.address]: "online@pc-a",
      [onlyB.address]: "online@pc-b",
      [shared.address]: "online@pc-b",
    };
    await waitFor("pc-b's reports written", async () => (await listed(b))[onlyB.address] === "online@pc-b");
    expect(await listed(a)).toEqual(farm);
    expect(await listed(b)).toEqual(farm);
    expect(await listed(a, "?node=pc-a")).toEqual({ [onlyA.address]: "online@pc-a" });
    expect((await a.call("GET", "/api/v1/device?node=")).body.code).toBe(40001);
    expect((await a.call("GET", `/api/v1/device/${onlyB.address}`)).body.data).toMatchObject({
      serial: onlyB.address,
      state: "online",
      node: "pc-b",
    });

    // pc-a loses the shared phone while pc-b still has it: online, pc-b's, and not forgotten
    await a.call("POST", "/api/v1/device/disconnect", { host: shared.host, port: shared.port });
    await a.deviceService.written();
    expect(a.fleet.get(shared.address)).toBeUndefined();
    expect((await listed(a))[shared.address]).toBe("online@pc-b");

    // pc-a holds it again (it reported it online last); losing it then shows it offline for a moment, until
    // pc-b's next beat takes it over
    await attach(a, shared);
    await waitFor(
      "pc-a holds the shared phone",
      async () => (await listed(b))[shared.address] === "online@pc-a",
    );
    await a.fleet.disconnect(shared.host, shared.port);
    await a.deviceService.written();
    await waitFor(
      "pc-b took the shared phone over",
      async () => (await listed(a))[shared.address] === "online@pc-b",
      10_000,
    );

    // reports not saved (the database was away): pc-a's next beat brings its rows in line with what it sees
    const lostWrites = new DeviceStore(a.db, "pc-a");
    const row = { transport: "direct" as const, model: null, brand: null, androidVersion: null, sdk: null };
    const more = { screenWidth: null, screenHeight: null, battery: null, hint: null, lastSeen: 1 };
    await lostWrites.upsert({ ...row, ...more, serial: "GONE:5555", state: "online" });
    await lostWrites.upsert({ ...row, ...more, serial: onlyA.address, state: "offline" });
    expect((await listed(b))[onlyA.address]).toBe("offline@pc-a");
    await waitFor("pc-a's rows in line", async () => {
      const now = await listed(b);
      return now["GONE:5555"] === "offline@pc-a" && now[onlyA.address] === "online@pc-a";
    });

    // a task created on pc-a for pc-b's phone runs on pc-b; either node shows where each task ran
    const ranOnB = await create(a, onlyB, 0.2);
    await waitFor("the task done on pc-b", async () => (await a.tasks.get(ranOnB))?.status === 2, 15_000);
    for (const s of [a, b]) {
      expect((await s.call("GET", `/api/v1/task/${ranOnA}`)).body.data).toMatchObject({ node: "pc-a" });
      expect((await s.call("GET", `/api/v1/task/${ranOnB}`)).body.data).toMatchObject({ node: "pc-b" });
    }
    const page = (await b.call("GET", "/api/v1/task")).body.data.tasks as { id: number; node: string }[];
    expect(Object.fromEntries(page.map((t) => [t.id, t.node]))).toEqual({
      [ranOnA]: "pc-a",
      [ranOnB]: "pc-b",
    });

    // pc-b's phone busy with a long run: a task behind it, read on pc-a, waits for that run (not "offline")
    const long = await create(a, onlyB, 600);
    await waitFor("the long task running on pc-b", () => b.runner.runningOn(onlyB.address) === long);
    const behind = await create(a, onlyB, 0.2);
    const waiting = await waitFor("pc-a knows pc-b's run", async () => {
      const w = (await a.call("GET", `/api/v1/task/${behind}`)).body.data.waiting_for;
      return w?.reason === "phone_busy" && w;
    });
    expect(waiting).toMatchObject({
      message: `phone ${onlyB.address} is running task ${long}`,
      task_ids: [long],
    });
    expect((await b.call("POST", `/api/v1/task/${long}/stop`)).body.code).toBe(0);
    await waitFor("the task behind done", async () => (await a.tasks.get(behind))?.status === 2, 15_000);
  },
  90_000,
);
