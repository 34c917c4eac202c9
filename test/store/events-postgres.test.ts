// Events across the farm's PCs: two services (two data folders) on one private PostgreSQL. An SSE client on
// either sees every task event of both, each exactly once; the webhook gets each end once with both running;
// a task created through A for a phone B holds is started by B at once; the connection that hears the other
// PC dropped (and kept from reconnecting a while) is said once each way, and what was sent meanwhile is
// missed, not invented; PostgreSQL restarted (pg_ctl restart), both PCs hear each other again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualPhone } from "@farm/virtual-phone";
import { testScript } from "../../src/scripts/test-sleep/index.ts";
import type { TaskEvent } from "../../src/tasks/events.ts";
import { loggerInto } from "../helpers/log.ts";
import { type PrivatePostgres, postgresBin, skipPostgres, startPostgres } from "../helpers/postgres.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { waitFor } from "../helpers/wait.ts";
import { type HookReceiver, startHookReceiver } from "../helpers/webhook.ts";

let pg: PrivatePostgres;
let dbName: string;
let a: TestService;
let b: TestService;
let phone: VirtualPhone;
let hooks: HookReceiver;
const aLog: string[] = [];
const bLog: string[] = [];

/** An SSE client on a service: the task events it was told, as sent. */
interface Stream {
  tasks: TaskEvent[];
  close(): Promise<void>;
}

async function openStream(s: TestService): Promise<Stream> {
  const res = await s.app.handle(new Request("http://localhost/api/v1/events"));
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const tasks: TaskEvent[] = [];
  let text = "";
  let connected = false;
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let end = text.indexOf("\n\n");
      while (end >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        if (block.startsWith(": connected")) connected = true;
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (block.startsWith("event: task") && data) tasks.push(JSON.parse(data.slice(6)));
        end = text.indexOf("\n\n");
      }
    }
  })();
  await waitFor("the stream open", () => connected);
  return { tasks, close: () => reader.cancel() };
}

const told = (stream: Stream, id: number, status: string) =>
  stream.tasks.filter((e) => e.id === id && e.status === status);

const createTask = (s: TestService, serial: string, seconds = 30) => s.sleepTask(serial, seconds);

beforeAll(async () => {
  if (skipPostgres) return;
  pg = await startPostgres();
  dbName = "farm_events";
  const url = await pg.database(dbName);
  hooks = startHookReceiver();
  const webhook = { webhookUrl: hooks.url, webhookSecret: "hook-secret" };
  a = await startTestService(
    { database: url, ...webhook },
    { pollMs: 60_000, scripts: [testScript], log: loggerInto(aLog) },
  );
  // another PC: its own data folder, the same key file (secrets must open on both)
  const otherDir = mkdtempSync(join(tmpdir(), "farm-pg-events-"));
  copyFileSync(join(a.dir, "secret.key"), join(otherDir, "secret.key"));
  b = await startTestService(
    { database: url, dataDir: otherDir, ...webhook },
    { pollMs: 60_000, scripts: [testScript], log: loggerInto(bLog) },
  );
  phone = await VirtualPhone.start({ serial: "EVB1", popups: false });
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await phone?.stop();
  hooks?.stop();
  pg?.stop();
});

test.skipIf(skipPostgres)(
  "an SSE client on either PC sees every task event of both PCs exactly once; the webhook each end once",
  async () => {
    await a.addDevice("EVX1");
    const onA = await openStream(a);
    const onB = await openStream(b);
    const fromA = await createTask(a, "EVX1");
    expect((await a.call("POST", `/api/v1/task/${fromA}/stop`)).body.code).toBe(0);
    const fromB = await createTask(b, "EVX1");
    expect((await b.call("POST", `/api/v1/task/${fromB}/stop`)).body.code).toBe(0);
    for (const stream of [onA, onB]) {
      await waitFor("both tasks' ends on both streams", () =>
        [fromA, fromB].every((id) => told(stream, id, "failed").length > 0),
      );
    }
    await waitFor("both webhook deliveries", () => hooks.deliveries.length >= 2);
    // time for a duplicate to show up, if one were coming
    await Bun.sleep(500);
    for (const stream of [onA, onB]) {
      for (const id of [fromA, fromB]) {
        expect(told(stream, id, "pending")).toHaveLength(1);
        expect(told(stream, id, "failed")).toHaveLength(1);
      }
      expect(stream.tasks).toHaveLength(4);
    }
    // the same event, as the PC where it happened told it
    expect(onB.tasks.find((e) => e.id === fromA && e.status === "failed")).toEqual(
      onA.tasks.find((e) => e.id === fromA && e.status === "failed") as TaskEvent,
    );
    expect(told(onB, fromA, "failed")[0]?.error).toBe("stopped by user");
    const sent = hooks.deliveries.map((d) => JSON.parse(d) as { event: string; task: { id: number } });
    expect(sent.map((d) => [d.event, d.task.id]).sort()).toEqual(
      [
        ["task.failed", fromA],
        ["task.failed", fromB],
      ].sort(),
    );
    await onA.close();
    await onB.close();
  },
);

test.skipIf(skipPostgres)(
  "a task created through A for a phone B holds is started by B at once, woken by A's event",
  async () => {
    await b.start();
    await b.deviceService.connect(phone.host, phone.port, true);
    const serial = `${phone.host}:${phone.port}`;
    await waitFor("the phone online on B", () => b.deviceService.onlineSerials().includes(serial), 10_000);
    await Bun.sleep(200);
    // what wakes B's runner from now on: it has no periodic pass (only one at the next scheduled task, and
    // there is none), and its phone does not change (pollMs 60 s)
    const wakes: (string | undefined)[] = [];
    const deviceChanges: string[] = [];
    const wake = b.runner.wake.bind(b.runner);
    b.runner.wake = (s?: string) => {
      wakes.push(s);
      wake(s);
    };
    const deviceChanged = b.runner.deviceChanged.bind(b.runner);
    b.runner.deviceChanged = (s: string, online: boolean) => {
      deviceChanges.push(s);
      deviceChanged(s, online);
    };
    const startedOnB = new Map<number, number>();
    b.events.subscribe((e, origin) => {
      if (origin === "local" && e.type === "task" && e.status === "running" && !startedOnB.has(e.id))
        startedOnB.set(e.id, Date.now());
    });
    const createdAt = Date.now();
    const id = await createTask(a, serial, 0.2);
    const startedAt = await waitFor("B starting A's task", () => startedOnB.get(id), 5000);
    expect(startedAt - createdAt).toBeLessThan(1500);
    expect(wakes).toContain(serial);
    expect(deviceChanges).toEqual([]);
    expect(a.runner.runningOn(serial)).toBeUndefined();
    await waitFor(
      "the task done",
      async () => (await a.call("GET", `/api/v1/task/${id}`)).body.data.status_text === "completed",
      10_000,
    );
  },
);

test.skipIf(skipPostgres)(
  "B's listening connection cut and kept down: said once each way, what A sent meanwhile is missed, not invented",
  async () => {
    await a.addDevice("EVX2");
    const onB = await openStream(b);
    const admin = new Bun.SQL(pg.url, { max: 1 });
    try {
      await admin.unsafe(`alter database "${dbName}" allow_connections false`);
      const cut = await admin`select pg_terminate_backend(pid) as ok from pg_stat_activity
        where datname = ${dbName} and query ilike 'listen%'`;
      // A's and B's
      expect(cut.length).toBe(2);
      await waitFor("B saying it lost the connection", () => bLog.some((l) => l.includes("was lost")));
      // A's pool still has its connections: its NOTIFY goes out, B is not there to hear it
      const missed = await createTask(a, "EVX2");
      await Bun.sleep(1200);
      await admin.unsafe(`alter database "${dbName}" allow_connections true`);
      await waitFor(
        "B listening again",
        () => bLog.some((l) => l.includes("listening to the other PCs again")),
        15_000,
      );
      const seen = await createTask(a, "EVX2");
      await waitFor("the task after, on B", () => told(onB, seen, "pending").length > 0);
      await Bun.sleep(300);
      expect(told(onB, missed, "pending")).toEqual([]);
      expect(told(onB, seen, "pending")).toHaveLength(1);
      const said = bLog.filter((l) => l.includes("events:"));
      expect(said).toHaveLength(2);
      expect(said[0]).toContain("the connection that hears the other PCs was lost");
      expect(said[1]).toContain("listening to the other PCs again");
    } finally {
      await admin.unsafe(`alter database "${dbName}" allow_connections true`);
      await admin.close();
      await onB.close();
    }
  },
);

test.skipIf(skipPostgres)(
  "PostgreSQL restarts: both PCs say so once each way and hear each other again, each event once",
  async () => {
    const admin = new Bun.SQL(pg.url, { max: 1 });
    const [{ dir }] = await admin`select current_setting('data_directory') as dir`;
    await admin.close();
    const said = (lines: string[]) => lines.filter((l) => l.includes("events:"));
    const before = [said(aLog).length, said(bLog).length];
    // `restart` keeps the server's options (postmaster.opts); a log file, so that pg_ctl does not hold our pipe
    const ctl = [
      join(postgresBin() as string, "pg_ctl"),
      "-D",
      dir,
      "-l",
      join(dir, "..", "log"),
      "-m",
      "fast",
    ];
    const cmd = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", ...ctl] : ctl;
    execFileSync(cmd[0] as string, [...cmd.slice(1), "-w", "restart"], { stdio: "pipe" });
    const since = (lines: string[], from: number) => said(lines).slice(from);
    const lost = "the connection that hears the other PCs was lost";
    const again = "listening to the other PCs again";
    // both lines, whichever the loaded machine lets through first (Bun may be listening again before the
    // lost connection's close is told)
    for (const [i, lines] of [aLog, bLog].entries()) {
      await waitFor(
        "lost and listening again",
        () => {
          const news = since(lines, before[i] as number);
          return news.some((l) => l.includes(lost)) && news.some((l) => l.includes(again));
        },
        20_000,
      );
    }
    for (const [i, lines] of [aLog, bLog].entries()) {
      const news = since(lines, before[i] as number);
      expect(news).toHaveLength(2);
      expect(news.filter((l) => l.includes(lost))).toHaveLength(1);
      expect(news.filter((l) => l.includes(again))).toHaveLength(1);
    }
    const onB = await openStream(b);
    try {
      // A's pool finds the server again by itself
      const id = await waitFor(
        "a task created through A",
        () => createTask(a, "EVX2").catch(() => 0),
        10_000,
      );
      await waitFor("A's task on B", () => told(onB, id, "pending").length > 0);
      await Bun.sleep(300);
      expect(told(onB, id, "pending")).toHaveLength(1);
    } finally {
      await onB.close();
    }
  },
);
