// The plan's phone limit counts the whole farm (issue 22): a node refused a start because the other node's
// runs fill the farm's slots starts it as soon as it hears one of them end, not at its next heartbeat. The
// clocks are manual and never reach a heartbeat: only that news can start the waiting task.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { HEARTBEAT_MS } from "../../src/server.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import { type PrivatePostgres, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

let pg: PrivatePostgres;
let phones: VirtualPhone[] = [];
const services: TestService[] = [];
const dir = mkdtempSync(join(tmpdir(), "farm-limit-"));

beforeAll(async () => {
  if (skipPostgres) return;
  pg = await startPostgres();
  phones = await Promise.all(
    ["A-1", "A-2", "B-1"].map((serial) => VirtualPhone.start({ serial, popups: false })),
  );
});

afterAll(async () => {
  for (const s of services) await s.stop();
  for (const phone of phones) await phone.stop();
  rmSync(dir, { recursive: true, force: true });
  pg?.stop();
});

test.skipIf(skipPostgres)(
  "a start refused for the farm's limit (Free: 2 phones) goes as soon as another node's run ends",
  async () => {
    const url = await pg.database("farm_limit");
    const clock = new ManualClock(Date.UTC(2026, 11, 7, 12));
    const node = async (name: string, own: VirtualPhone[]) => {
      const dataDir = join(dir, name);
      // every PC holds the same key (README): B opens what A sealed
      mkdirSync(dataDir);
      if (name !== "pc-a") copyFileSync(join(dir, "pc-a", "secret.key"), join(dataDir, "secret.key"));
      const s = await startTestService(
        { database: url, node: name, dataDir },
        { clock, pollMs: 200, scripts: [testScript] },
      );
      services.push(s);
      await s.start();
      for (const phone of own) await s.deviceService.connect(phone.host, phone.port, true);
      const serials = own.map((p) => `${p.host}:${p.port}`);
      await waitFor("online", () => serials.every((x) => s.deviceService.onlineSerials().includes(x)));
      return { s, serials };
    };
    const a = await node("pc-a", phones.slice(0, 2));
    const b = await node("pc-b", phones.slice(2));
    const create = (s: TestService, serial: string, seconds: number) => s.sleepTask(serial, seconds);
    const status = async (id: number) => (await a.s.call("GET", `/api/v1/task/${id}`)).body.data.status_text;
    const [a1, a2] = [
      await create(a.s, a.serials[0] as string, 5),
      await create(a.s, a.serials[1] as string, 5),
    ];
    await waitFor(
      "A runs both",
      async () => (await status(a1)) === "running" && (await status(a2)) === "running",
    );
    const b1 = await create(b.s, b.serials[0] as string, 1);
    // the farm's two slots are A's: B's task waits, saying so
    await waitFor("B's task explained", async () => {
      const task = (await b.s.call("GET", `/api/v1/task/${b1}`)).body.data;
      return task.status_text === "pending" && task.waiting_for?.reason === "plan_limit";
    });
    const started = clock.now();
    clock.advance(5_000);
    await waitFor(
      "A's runs over",
      async () => (await status(a1)) === "completed" && (await status(a2)) === "completed",
    );
    await waitFor("B's task started", async () => (await status(b1)) !== "pending", 15_000);
    expect(clock.now() - started).toBeLessThan(HEARTBEAT_MS);
  },
);
