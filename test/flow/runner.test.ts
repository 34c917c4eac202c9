// The runner against the real adb server and virtual phones: queueing, the plan's limit, schedules,
// stop, delete, retry, timeouts, and a phone that vanishes mid-task.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { VirtualPhone } from "@farm/virtual-phone";
import { TaskStatus } from "../../src/domain.ts";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import { ManualClock } from "../../src/tasks/clock.ts";
import type { FarmEvent } from "../../src/tasks/events.ts";
import { type AdbServer, startAdbServer } from "../helpers/adb.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";

let adb: AdbServer;
let s: TestService;
let clock: ManualClock;
const phones: VirtualPhone[] = [];
const serial = (p: VirtualPhone) => `${p.host}:${p.port}`;
const events: FarmEvent[] = [];

beforeAll(async () => {
  adb = await startAdbServer();
  for (let i = 0; i < 3; i++) phones.push(await VirtualPhone.start({ serial: `RUN${i}`, popups: false }));
  clock = new ManualClock(Date.parse("2026-11-28T09:00:00.000Z"));
  s = await startTestService(
    {
      adb: { host: "127.0.0.1", port: adb.port },
      timezone: "Europe/Madrid",
      retryMax: 1,
      retryDelayS: [60, 120],
      scriptTimeouts: {},
    },
    { clock, pollMs: 200, scripts: [testScript] },
  );
  s.events.subscribe((e) => events.push(e));
  await s.start();
  for (const p of phones) await s.deviceService.connect(p.host, p.port, false);
  await waitFor("3 phones online", () => s.deviceService.onlineSerials().length === 3, 10_000);
});

afterAll(async () => {
  await s?.stop();
  for (const p of phones) await p.stop();
  await adb?.stop();
});

async function create(
  serials: string[],
  config: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const r = await s.call("POST", "/api/v1/task", {
    serials,
    script_name: "test_sleep",
    script_config: config,
    ...extra,
  });
  expect(r.body.code).toBe(0);
  return r.body.data.task_ids as number[];
}

const task = async (id: number) => await s.tasks.get(id);
/** The error of the task's last failure, as announced (an automatic retry clears it from the task). */
const failure = (id: number) => {
  const e = events.findLast((x) => x.type === "task" && x.id === id && x.status === "failed");
  return e?.type === "task" ? (e.error ?? undefined) : undefined;
};
const finished = async (ids: number[]) => {
  for (const id of ids) if (((await task(id))?.status ?? 0) < TaskStatus.completed) return false;
  return true;
};
const runsOf = (id: number) =>
  phones.reduce((n, p) => n + p.commands.filter((c) => c.command.includes(`farm-task-${id}`)).length, 0);

describe("dispatch", () => {
  test("one task at a time per phone, first due first, within the Free plan's 2 phones", async () => {
    events.length = 0;
    const [a, b, c] = phones.map(serial) as [string, string, string];
    const ids = [
      ...(await create([a], { seconds: 0.4 })),
      ...(await create([a], { seconds: 0.4 })),
      ...(await create([b], { seconds: 0.4 })),
      ...(await create([c], { seconds: 0.4 })),
      ...(await create([c], { seconds: 0.4 })),
    ];
    await waitFor("all five finished", () => finished(ids), 20_000);
    for (const id of ids) expect(await task(id)).toMatchObject({ status: TaskStatus.completed, error: null });
    // replay the events: never two running on one phone, never more than 2 phones at once
    const running = new Map<number, string>();
    let most = 0;
    for (const e of events) {
      if (e.type !== "task" || !ids.includes(e.id)) continue;
      if (e.status === "running") {
        expect([...running.values()]).not.toContain(e.serial as string);
        running.set(e.id, e.serial as string);
        most = Math.max(most, running.size);
      } else running.delete(e.id);
    }
    expect(most).toBe(2);
    // per phone, in order of id
    expect(
      ((await task(ids[0] as number))?.startedAt ?? 0) <= ((await task(ids[1] as number))?.startedAt ?? 0),
    ).toBe(true);
    expect((await task(ids[0] as number))?.finishedAt ?? 0).toBeLessThanOrEqual(
      (await task(ids[1] as number))?.startedAt ?? 0,
    );
    for (const id of ids) expect(runsOf(id)).toBe(1);
    // the step log, with timings
    const logs = (await s.call("GET", `/api/v1/task/${ids[0]}`)).body.data.logs;
    expect(logs.map((l: { message: string }) => l.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^started on/), "mark", "sleep 0.4 s", "completed"]),
    );
    expect(
      logs.find((l: { message: string }) => l.message === "sleep 0.4 s").duration_ms,
    ).toBeGreaterThanOrEqual(300);
  });

  test("follow through the service: the docs' body fans out per user; one followed, an unknown one refused for good", async () => {
    const phone = phones[2] as VirtualPhone;
    const r = await s.call("POST", "/api/v1/task", {
      serials: [serial(phone)],
      script_name: "follow",
      script_config: { target_username: "tiktok, nouser.gone", access_method: "direct" },
    });
    const ids = r.body.data.task_ids as number[];
    expect(ids).toHaveLength(2);
    await waitFor("both follow tasks ended", () => finished(ids), 30_000);
    expect([(await task(ids[0] as number))?.status, (await task(ids[1] as number))?.status]).toEqual([
      TaskStatus.completed,
      TaskStatus.failed,
    ]);
    expect(await task(ids[1] as number)).toMatchObject({
      error: 'TikTok has no user @nouser.gone: it shows "Couldn\'t find this account"',
      errorClass: "permanent",
      retryCount: 0,
    });
    expect([...phone.apps.tiktok.following]).toEqual(["tiktok"]);
  });

  test("a scheduled task waits for its minute (manual clock) and then runs", async () => {
    // 09:00Z is 10:00 in Madrid: due at 10:05 local
    const [id] = await create([serial(phones[1] as VirtualPhone)], { seconds: 0 }, { start_time: "10:05" });
    expect((await task(id as number))?.scheduledAt).toBe(clock.now() + 5 * 60_000);
    // a pass runs a microtask after a wake and starts what is due at once: a turn of the loop would show it
    await new Promise(setImmediate);
    expect((await task(id as number))?.status).toBe(TaskStatus.pending);
    clock.advance(4 * 60_000);
    await new Promise(setImmediate);
    expect((await task(id as number))?.status).toBe(TaskStatus.pending);
    clock.advance(60_000);
    await waitFor(
      "scheduled task done",
      async () => (await task(id as number))?.status === TaskStatus.completed,
      10_000,
    );
  });

  test("a task whose script the service no longer has fails at once, permanently, and says so", async () => {
    const [id] = (await create(
      [serial(phones[1] as VirtualPhone)],
      { seconds: 0 },
      { start_time: "10:30" },
    )) as [number];
    // the runner asks the service's own registry when the task starts, not when it was created
    s.scripts.unregister("test_sleep");
    try {
      clock.advance(30 * 60_000);
      await waitFor("failed", async () => (await task(id))?.status === TaskStatus.failed, 10_000);
      expect(await task(id)).toMatchObject({
        error: 'script "test_sleep" is no longer known to this service',
        errorClass: "permanent",
        retryCount: 0,
      });
      expect(runsOf(id)).toBe(0);
    } finally {
      await s.scripts.register(testScript);
    }
  });
});

describe("stop, delete, retry", () => {
  test("stop while running: aborted mid-step, cleanup runs, failed 'stopped by user'", async () => {
    const phone = phones[0] as VirtualPhone;
    const [id] = (await create([serial(phone)], { seconds: 30 })) as [number];
    await waitFor(
      "running",
      async () => (await task(id))?.status === TaskStatus.running && runsOf(id) === 1,
      10_000,
    );
    await waitFor("its 30 s sleep on the phone", () => phone.commands.some((c) => c.command === "sleep 30"));
    const before = phone.commands.length;
    const r = await s.call("POST", `/api/v1/task/${id}/stop`);
    // the stop cut the step short: the answer did not wait for the 30 s the phone was asked to sleep
    expect((await s.tasks.logs(id)).map((l) => l.message)).toContain("sleep 30 s: stopped by user");
    expect(r.body.data).toMatchObject({
      status: TaskStatus.failed,
      error: "stopped by user",
      error_class: "permanent",
    });
    expect(
      phone.commands.slice(before).some((c) => c.command.includes("am force-stop com.zhiliaoapp.musically")),
    ).toBe(true);
    expect(s.runner.runningOn(serial(phone))).toBeUndefined();
  });

  test("delete while running stops first, then deletes; the phone takes its next task", async () => {
    const phone = phones[0] as VirtualPhone;
    const [a, b] = (await create([serial(phone)], { seconds: 30 }).then(async (x) => [
      ...x,
      ...(await create([serial(phone)], { seconds: 0 })),
    ])) as [number, number];
    await waitFor("running", async () => (await task(a))?.status === TaskStatus.running, 10_000);
    const r = await s.call("DELETE", `/api/v1/task/${a}`);
    expect(r.body.data).toEqual({ deleted: true });
    expect(await task(a)).toBeUndefined();
    await waitFor("next task done", async () => (await task(b))?.status === TaskStatus.completed, 10_000);
  });

  test("automatic retry for retryable failures only, after a delay, up to the limit", async () => {
    const p = serial(phones[2] as VirtualPhone);
    const [retryable] = (await create([p], { fail: "retryable" })) as [number];
    const [permanent] = (await create([p], { fail: "permanent" })) as [number];
    await waitFor(
      "both ran",
      async () => runsOf(retryable) === 1 && (await task(permanent))?.status === TaskStatus.failed,
      10_000,
    );
    await waitFor(
      "retry scheduled",
      async () => (await task(retryable))?.status === TaskStatus.pending,
      5_000,
    );
    const t = await task(retryable);
    expect(t?.retryCount).toBe(1);
    const delay = (t?.scheduledAt ?? 0) - clock.now();
    expect(delay).toBeGreaterThanOrEqual(60_000);
    expect(delay).toBeLessThanOrEqual(120_000);
    expect(await task(permanent)).toMatchObject({
      retryCount: 0,
      errorClass: "permanent",
      error: "asked to fail (permanent)",
    });
    clock.advance(120_000);
    await waitFor(
      "second attempt failed",
      async () => (await task(retryable))?.status === TaskStatus.failed,
      10_000,
    );
    expect(runsOf(retryable)).toBe(2);
    // a retry would be written with the failure, in the same step
    await new Promise(setImmediate);
    expect(await task(retryable)).toMatchObject({
      status: TaskStatus.failed,
      retryCount: 1,
      errorClass: "retryable",
    });
    // a manual retry runs it once more
    expect((await s.call("POST", `/api/v1/task/${retryable}/retry`)).body.data.retry_count).toBe(2);
    await waitFor("third run", () => runsOf(retryable) === 3, 10_000);
  });

  test("a task that passes its maximum duration is aborted: 'timed out after N s'", async () => {
    s.config.scriptTimeouts.test_sleep = 1; // the runner reads the configured limits at each start
    try {
      const [id] = (await create([serial(phones[1] as VirtualPhone)], { hang: true })) as [number];
      await waitFor("timed out", () => failure(id), 10_000);
      expect(failure(id)).toBe("timed out after 1 s");
      // retryable: it is queued again, a while later
      await waitFor("retry queued", async () => (await task(id))?.status === TaskStatus.pending, 5_000);
      expect((await task(id))?.retryCount).toBe(1);
      await s.call("POST", `/api/v1/task/${id}/stop`);
    } finally {
      delete s.config.scriptTimeouts.test_sleep;
    }
  });
});

describe("a phone that disappears", () => {
  test("its task fails within 5 s with 'device went offline'; other phones go on; its queue waits and resumes", async () => {
    const gone = phones[0] as VirtualPhone;
    const other = phones[1] as VirtualPhone;
    const [victim] = (await create([serial(gone)], { seconds: 30 })) as [number];
    const [waiting] = (await create([serial(gone)], { seconds: 0 })) as [number];
    const [elsewhere] = (await create([serial(other)], { seconds: 2 })) as [number];
    await waitFor(
      "both running",
      async () => (await task(victim))?.status === 1 && (await task(elsewhere))?.status === 1,
      10_000,
    );
    await gone.vanish();
    await waitFor("victim failed", () => failure(victim), 5_000);
    expect(failure(victim)).toBe("device went offline");
    // retryable: queued again for later
    await waitFor(
      "victim queued again",
      async () => (await task(victim))?.status === TaskStatus.pending,
      5_000,
    );
    await waitFor(
      "other phone's task done",
      async () => (await task(elsewhere))?.status === TaskStatus.completed,
      10_000,
    );
    expect((await task(waiting))?.status).toBe(TaskStatus.pending);
    await gone.comeBack();
    await waitFor("back online", () => s.deviceService.onlineSerials().includes(serial(gone)), 20_000);
    await waitFor(
      "queue resumed",
      async () => (await task(waiting))?.status === TaskStatus.completed,
      10_000,
    ).catch(async (e) => {
      console.log(
        JSON.stringify(
          events.filter((x) => x.type === "device" || [victim, waiting].includes((x as { id: number }).id)),
          null,
          0,
        ),
      );
      console.log(await s.tasks.logs(waiting), await s.tasks.logs(victim));
      throw e;
    });
    expect(runsOf(waiting)).toBe(1);
  });

  test("after a point of no return (Post tapped), going offline is a permanent failure, never retried", async () => {
    const gone = phones[2] as VirtualPhone;
    const [id] = (await create([serial(gone)], { seconds: 30, irreversible: true })) as [number];
    await waitFor(
      "past the marker",
      async () => (await s.tasks.logs(id)).some((l) => l.message === "mark"),
      10_000,
    );
    // on disk while it runs, so a crash right now would still know
    expect((await task(id))?.irreversible).toBe("the test's point of no return");
    await gone.vanish();
    await waitFor("failed", () => failure(id), 5_000);
    expect(failure(id)).toBe(
      "device went offline after the test's point of no return; not retried automatically",
    );
    expect(await task(id)).toMatchObject({ errorClass: "permanent", failureReason: "offline" });
    expect(await s.tasks.retrySkipOf(id)).toBe("post_tapped");
    await gone.comeBack();
    await waitFor("back online", () => s.deviceService.onlineSerials().includes(serial(gone)), 20_000);
    expect((await task(id))?.status).toBe(TaskStatus.failed);
    expect(runsOf(id)).toBe(1);
  });
});
