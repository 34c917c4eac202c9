// A pending task says what it waits for, and the service names its time, against the compiled executable:
// a Free-plan service (2 phones at once) with 3 virtual phones, long test_sleep tasks, a phone known but
// offline, and a start_time already past today.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { addDevices, buildBinary, call, type Running, startBinary } from "../helpers/binary.ts";
import { waitFor } from "../helpers/wait.ts";

const ZONE = "Europe/Madrid";
type Health = { timezone: string; time: string };
const OFFLINE = "OFFLINE-PHONE-1";
let dir: string;
let adb: AdbServer;
let phones: VirtualPhone[];
let serials: string[];
let service: Running;

const sleepOn = (serial: string, extra: Record<string, unknown> = {}) =>
  call(service.url, "POST", "/api/v1/task", {
    serials: [serial],
    script_name: "test_sleep",
    script_config: { seconds: 600 },
    ...extra,
  });
const task = async (id: number) => (await call(service.url, "GET", `/api/v1/task/${id}`)).body.data;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-waiting-"));
  const binary = join(dir, "farm-tasks");
  copyFileSync(await buildBinary(), binary);
  adb = await startAdbServer();
  phones = await Promise.all([0, 1, 2].map((i) => VirtualPhone.start({ serial: `WAIT${i}`, popups: false })));
  const dataDir = join(dir, "data");
  await addDevices(dataDir, [OFFLINE]);
  service = await startBinary(
    binary,
    ["--data-dir", dataDir, "--adb", `127.0.0.1:${adb.port}`, "--timezone", ZONE],
    dir,
    { FARM_TEST_SCRIPTS: "1" },
  );
  serials = [];
  for (const phone of phones) {
    const r = await call(service.url, "POST", "/api/v1/device/connect", {
      host: phone.host,
      port: phone.port,
    });
    expect(r.body.code).toBe(0);
    serials.push(`${phone.host}:${phone.port}`);
  }
  await waitFor("3 phones online", async () => {
    const r = await call(service.url, "GET", "/api/v1/device");
    const online = r.body.data.devices.filter((d: { state: string }) => d.state === "online");
    return online.length === 3;
  });
}, 60_000);
afterAll(async () => {
  service?.proc.kill("SIGKILL");
  await service?.proc.exited;
  await Promise.all((phones ?? []).map((p) => p.stop()));
  await adb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("each pending task says why: plan_limit, phone_busy, schedule, phone_offline; running ones null", async () => {
  const [s0, s1, s2] = serials as [string, string, string];
  const a = (await sleepOn(s0)).body.data.task_ids[0];
  const b = (await sleepOn(s1)).body.data.task_ids[0];
  await waitFor(
    "two tasks running",
    async () => (await task(a)).status === 1 && (await task(b)).status === 1,
  );
  expect((await task(a)).waiting_for).toBeNull();
  // a running task says how far it has got: its step, and for how long it has run (the service's clock)
  const progress = await waitFor("the sleep step", async () => {
    const p = (await task(a)).progress;
    return p?.step === "sleep 600 s" && p;
  });
  expect(progress).toMatchObject({ fraction: null, step: "sleep 600 s", detail: null });
  expect(progress.elapsed_s).toBeGreaterThanOrEqual(0);
  await waitFor("elapsed_s to move", async () => (await task(a)).progress.elapsed_s > progress.elapsed_s);

  // the third phone is idle, but the Free plan's 2 slots are taken
  const created = (await sleepOn(s2)).body.data;
  expect(created.warnings).toEqual([]);
  const c = created.task_ids[0];
  const third = await task(c);
  expect(third.status).toBe(0);
  expect(third.progress).toBeNull();
  expect(third.waiting_for).toEqual({
    reason: "plan_limit",
    message: `2 of 2 slots of the Free plan in use (tasks ${[a, b].sort((x, y) => x - y).join(", ")})`,
    scheduled_at: null,
    task_ids: [a, b].sort((x, y) => x - y),
  });

  // a second task on a busy phone, seen as the event stream announced it
  const events = await fetch(`${service.url}/api/v1/events`);
  const reader = (events.body as ReadableStream<Uint8Array>).getReader();
  const d = (await sleepOn(s0)).body.data.task_ids[0];
  const expected = {
    reason: "phone_busy",
    message: `phone ${s0} is running task ${a}`,
    scheduled_at: null,
    task_ids: [a],
  };
  expect((await task(d)).waiting_for).toEqual(expected);
  let text = "";
  const decoder = new TextDecoder();
  const event = await waitFor("the pending event of the busy phone's task", async () => {
    text += decoder.decode((await reader.read()).value);
    return text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)))
      .find((e) => e.type === "task" && e.id === d);
  });
  await reader.cancel();
  expect(event.status).toBe("pending");
  expect(event.waiting_for).toEqual(expected);

  // a phone the service knows from before, not attached now
  const off = (await sleepOn(OFFLINE)).body.data;
  expect(off.warnings).toEqual([`phone ${OFFLINE} is offline; its tasks wait until it is online`]);
  expect((await task(off.task_ids[0])).waiting_for.reason).toBe("phone_offline");

  // the list says the same as each task; only the running ones have a progress
  const list = (await call(service.url, "GET", "/api/v1/task?page_size=100")).body.data.tasks;
  const reasons = Object.fromEntries(
    list.map((t: { id: number; waiting_for: { reason: string } | null }) => [
      t.id,
      t.waiting_for?.reason ?? null,
    ]),
  );
  expect(reasons).toEqual({
    [a]: null,
    [b]: null,
    [c]: "plan_limit",
    [d]: "phone_busy",
    [off.task_ids[0]]: "phone_offline",
  });
  const withProgress = list.filter((t: { progress: unknown }) => t.progress !== null);
  expect(withProgress.map((t: { id: number }) => t.id).sort()).toEqual([a, b].sort());
}, 60_000);

test("a start_time already past today is due tomorrow, and the answer says so", async () => {
  const health = (await call(service.url, "GET", "/health")).body as unknown as Health;
  const [today, hhmm] = [health.time.slice(0, 10), health.time.slice(11, 16)];
  // 00:00 has passed today at every minute but midnight itself
  const startTime = hhmm === "00:00" ? "23:59" : "00:00";
  const r = await sleepOn(serials[2] as string, { start_time: startTime });
  expect(r.body.code).toBe(0);
  const { task_ids, tasks, warnings } = r.body.data;
  expect(tasks).toEqual([{ id: task_ids[0], serial: serials[2], due_at: expect.any(String) }]);
  const dueAt = Date.parse(tasks[0].due_at);
  expect(dueAt).toBeGreaterThan(Date.parse(health.time));
  const tomorrow = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(dueAt);
  expect(tomorrow).not.toBe(today);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toStartWith(`start_time ${startTime} has passed today (it is ${today} ${hhmm}`);
  expect(warnings[0]).toEndWith(`due tomorrow, ${tomorrow} ${startTime} ${ZONE}`);
  const waiting = (await task(task_ids[0])).waiting_for;
  expect(waiting).toEqual({
    reason: "schedule",
    message: `due at ${tomorrow} ${startTime} ${ZONE} (start_time ${startTime})`,
    scheduled_at: tasks[0].due_at,
    task_ids: [],
  });
});

test("/health names the service's time zone and its time with the zone's offset", async () => {
  const health = (await call(service.url, "GET", "/health")).body as unknown as Health;
  expect(health.timezone).toBe(ZONE);
  // Madrid is UTC+1 in winter and UTC+2 in summer
  expect(health.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
  expect(Number.isNaN(Date.parse(health.time))).toBe(false);
});
