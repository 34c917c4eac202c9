// kill -9 of the compiled executable in the middle of running tasks, then a restart: every acknowledged
// task is still there, the ones cut off are failed "interrupted", and no task ran twice on a phone.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { buildBinary, type Running, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

let dir: string;
let binary: string;
let adb: AdbServer;
let running: Running | undefined;
const phones: VirtualPhone[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-crash-"));
  binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  adb = await startAdbServer();
  for (let i = 0; i < 2; i++) phones.push(await VirtualPhone.start({ serial: `CRASH${i}`, popups: false }));
});
afterAll(async () => {
  running?.proc.kill("SIGKILL");
  for (const p of phones) await p.stop();
  await adb.stop();
  rmSync(dir, { recursive: true, force: true });
});

const start = () =>
  startBinary(binary, ["--adb", `127.0.0.1:${adb.port}`, "--retry-max", "0"], dir, {
    FARM_TEST_SCRIPTS: "1",
  });

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${running?.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as { code: number; message: string; data: any };
}

const runsOf = (id: number) =>
  phones.reduce((n, p) => n + p.commands.filter((c) => c.command.includes(`farm-task-${id}`)).length, 0);

test("kill -9 mid-run, restart: nothing acknowledged is lost and nothing runs twice", async () => {
  running = await start();
  const serials = phones.map((p) => `${p.host}:${p.port}`);
  for (const p of phones) {
    expect((await api("POST", "/api/v1/device/connect", { host: p.host, port: p.port })).code).toBe(0);
  }
  await waitFor(
    "phones online",
    async () =>
      (await api("GET", "/api/v1/device")).data.devices.filter((d: { state: string }) => d.state === "online")
        .length === 2,
    15_000,
  );
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await api("POST", "/api/v1/task", {
      serials,
      script_name: "test_sleep",
      script_config: { seconds: 1.5 },
    });
    expect(r.code).toBe(0);
    ids.push(...r.data.task_ids);
  }
  // let the first round finish and the second start, then crash
  await waitFor(
    "some done, some running",
    async () => {
      const s = (await api("GET", "/api/v1/task/stats")).data;
      return s.completed >= 2 && s.running >= 1;
    },
    20_000,
  );
  running.proc.kill("SIGKILL");
  await running.proc.exited;
  const before = ids.map((id) => runsOf(id));

  running = await start();
  // the adb server kept the phones; the restarted service finds them again
  const all = (await api("GET", "/api/v1/task?page_size=100")).data;
  expect(all.total).toBe(8);
  const interrupted = all.tasks.filter((t: { error: string | null }) => t.error?.startsWith("interrupted"));
  expect(interrupted.length).toBeGreaterThanOrEqual(1);
  for (const t of interrupted) expect(t.status).toBe(3);

  await waitFor(
    "the rest finished",
    async () => {
      const s = (await api("GET", "/api/v1/task/stats")).data;
      return s.pending === 0 && s.running === 0;
    },
    30_000,
  );
  const final = (await api("GET", "/api/v1/task?page_size=100")).data.tasks as {
    id: number;
    status: number;
  }[];
  for (const id of ids) {
    const runs = runsOf(id);
    expect(runs).toBeLessThanOrEqual(1); // none ran twice
    const t = final.find((x) => x.id === id);
    if (t?.status === 2) expect(runs).toBe(1);
    // a task that had started before the crash is never started again by itself
    if ((before[ids.indexOf(id)] ?? 0) > 0) expect(runs).toBe(1);
  }
  expect(final.filter((t) => t.status === 2).length + interrupted.length).toBe(8);
});

test("SIGTERM: running tasks get the grace period, then end failed as interrupted; the database closes cleanly", async () => {
  running?.proc.kill("SIGKILL");
  await running?.proc.exited;
  running = await startBinary(
    binary,
    ["--adb", `127.0.0.1:${adb.port}`, "--retry-max", "0", "--grace-period", "1"],
    dir,
    { FARM_TEST_SCRIPTS: "1" },
  );
  const p = phones[0] as VirtualPhone;
  await waitFor(
    "phone online",
    async () => (await api("GET", `/api/v1/device/${p.host}:${p.port}`)).data?.state === "online",
    15_000,
  );
  const id = (
    await api("POST", "/api/v1/task", {
      serials: [`${p.host}:${p.port}`],
      script_name: "test_sleep",
      script_config: { seconds: 30 },
    })
  ).data.task_ids[0];
  await waitFor("running", async () => (await api("GET", `/api/v1/task/${id}`)).data.status === 1, 10_000);
  // exits with its 30 s task still on the phone: the 1 s grace period, not the task, decides (it ends interrupted)
  running.proc.kill("SIGTERM");
  expect(await running.proc.exited).toBe(0);
  expect(running.log()).toContain("stopped");
  running = await start();
  const t = (await api("GET", `/api/v1/task/${id}`)).data;
  expect(t).toMatchObject({
    status: 3,
    error: "interrupted: the service stopped while this task was running",
  });
});
