// A running task's progress through the API, on the service's manual clock, with the real adb server and
// virtual phones that share that clock (their `sleep`, uploads and swipes take its time): elapsed_s and the
// step move with the clock, account_warmup's fraction grows with its budget, a pending or ended task has
// none, and the event stream tells progress at most once a second per task.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { VirtualPhone } from "@farm/virtual-phone";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import type { TaskEvent } from "../../src/tasks/events.ts";
import type { TaskProgress } from "../../src/tasks/progress.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

let adb: AdbServer;
let s: TestService;
const clock = new ManualClock(Date.parse("2026-11-28T09:00:00.000Z"));
const phones: VirtualPhone[] = [];
const serial = (p: VirtualPhone) => `${p.host}:${p.port}`;
const events: TaskEvent[] = [];

beforeAll(async () => {
  adb = await startAdbServer();
  for (let i = 0; i < 2; i++)
    phones.push(await VirtualPhone.start({ serial: `PROG${i}`, popups: false, clock }));
  s = await startTestService(
    { adb: { host: "127.0.0.1", port: adb.port }, retryMax: 0, scriptTimeouts: {} },
    { clock, pollMs: 200, scripts: [testScript] },
  );
  s.events.subscribe((e) => {
    if (e.type === "task") events.push(e);
  });
  await s.start();
  for (const p of phones) await s.deviceService.connect(p.host, p.port, false);
  await waitFor("2 phones online", () => s.deviceService.onlineSerials().length === 2, 10_000);
});

afterAll(async () => {
  await s?.stop();
  for (const p of phones) await p.stop();
  await adb?.stop();
});

interface Task {
  status: number;
  started_at: string | null;
  progress: TaskProgress | null;
}

async function create(phone: VirtualPhone, script: string, config: Record<string, unknown>) {
  const r = await s.call("POST", "/api/v1/task", {
    serials: [serial(phone)],
    script_name: script,
    script_config: config,
  });
  expect(r.body.code).toBe(0);
  return r.body.data.task_ids[0] as number;
}
const read = async (id: number): Promise<Task> => (await s.call("GET", `/api/v1/task/${id}`)).body.data;
const row = async (id: number): Promise<Task> =>
  (await s.call("GET", "/api/v1/task?status=1")).body.data.tasks.find((t: { id: number }) => t.id === id);

test("a running test_sleep shows elapsed_s and its step moving with the clock; pending and ended ones show none", async () => {
  const [phone] = phones as [VirtualPhone];
  const id = await create(phone, "test_sleep", { seconds: 60 });
  const next = await create(phone, "test_sleep", { seconds: 0 });
  const sleeping = await waitFor("the sleep step", async () => {
    const t = await read(id);
    return t.progress?.step === "sleep 60 s" && t;
  });
  expect(sleeping.status).toBe(1);
  // the phone's sleep has begun on the shared clock before the clock moves
  await waitFor("the phone to sleep", () => phone.commands.some((c) => c.command.includes("sleep 60")));
  expect(sleeping.progress).toEqual({ elapsed_s: 0, fraction: null, step: "sleep 60 s", detail: null });
  // the task behind it waits for the phone: no progress
  expect((await read(next)).progress).toBeNull();

  clock.advance(20_000);
  expect((await read(id)).progress).toMatchObject({ elapsed_s: 20, step: "sleep 60 s" });
  clock.advance(12_500);
  expect((await read(id)).progress?.elapsed_s).toBe(32.5);
  // the list's row says the same
  expect((await row(id)).progress).toEqual((await read(id)).progress);

  // the phone's sleep ends on the same clock: the task completes, and its progress is gone
  await waitFor(
    "both tasks to end",
    async () => {
      if ((await read(next)).status === 2) return true;
      clock.advance(1000);
      return false;
    },
    20_000,
  );
  expect(await read(id)).toMatchObject({ status: 2, progress: null });
  expect((await read(next)).progress).toBeNull();

  // the events: the start carried a progress, the step change came in a later event, never two within a
  // second of the service's clock; the end carries none
  const mine = events.filter((e) => e.id === id);
  const running = mine.filter((e) => e.status === "running");
  expect(running[0]?.progress).toMatchObject({ elapsed_s: 0 });
  expect(running.some((e) => e.progress?.step === "sleep 60 s")).toBe(true);
  const times = running.map((e) => Date.parse(e.at));
  for (let i = 1; i < times.length; i++)
    expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1000);
  expect(mine.at(-1)).toMatchObject({ status: "completed", progress: null });
}, 60_000);

test("a running account_warmup's fraction is the budget used, and grows with the clock", async () => {
  const [, phone] = phones as [VirtualPhone, VirtualPhone];
  const id = await create(phone, "account_warmup", { task_duration: 30, min_duration: 2, max_duration: 2 });
  const seen: TaskProgress[] = [];
  // the run waits on the service's clock between its screens: move it a little at each look
  const advanceUntil = (what: string, check: (p: TaskProgress) => boolean) =>
    waitFor(
      what,
      async () => {
        const p = (await read(id)).progress;
        if (p && seen.at(-1)?.elapsed_s !== p.elapsed_s) seen.push(p);
        if (p && check(p)) return p;
        clock.advance(250);
        return false;
      },
      30_000,
    );
  const first = await advanceUntil("a video watched", (p) => (p.fraction ?? 0) > 0);
  expect(first.step).toMatch(/^video \d+$/);
  expect(first.detail).toMatch(/^\d+ video\(s\) watched$/);
  const later = await advanceUntil("half the budget", (p) => (p.fraction ?? 0) >= 0.5);
  expect(later.elapsed_s).toBeGreaterThan(first.elapsed_s);
  expect(later.fraction as number).toBeLessThanOrEqual(1);
  // the estimate never goes back, and stays below the elapsed share of the budget (the app opened first)
  const fractions = seen.map((p) => p.fraction ?? 0);
  expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  for (const p of seen) expect(p.fraction ?? 0).toBeLessThanOrEqual(p.elapsed_s / 30 + 1e-9);
  await waitFor(
    "the warm-up to end",
    async () => {
      if ((await read(id)).status >= 2) return true;
      clock.advance(250);
      return false;
    },
    30_000,
  );
  expect(await read(id)).toMatchObject({ status: 2, progress: null });
  // a step per video and an estimate before each: told a few times, never twice within a second but for
  // the account it runs as, a change of state told at once (progress and all)
  const told = events.filter((e) => e.id === id && e.status === "running");
  const times = told.map((e) => Date.parse(e.at));
  expect(told.length).toBeGreaterThanOrEqual(3);
  const close = times.slice(1).filter((t, i) => t - (times[i] as number) < 1000);
  expect(close.length).toBeLessThanOrEqual(1);
  console.log(
    `account_warmup of 30 s: ${told.length} running events, ${seen.length} distinct progress reads`,
  );
}, 90_000);
