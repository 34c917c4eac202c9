// The task lifecycle on a real SQLite file: each transition checks the current status, listeners hear of a
// change once, a stopped run writes its own end once, and delete takes the evidence with it.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TaskStatus } from "../../src/domain.ts";
import { closeDb, type Db, openDb } from "../../src/store/db.ts";
import { openSecretBox } from "../../src/store/secret-box.ts";
import { TaskStore } from "../../src/store/tasks.ts";
import { Evidence } from "../../src/tasks/evidence.ts";
import { type Failure, type TaskChange, TaskLifecycle } from "../../src/tasks/lifecycle.ts";
import { newTask } from "../helpers/tasks.ts";

let dir: string;
let db: Db;
let tasks: TaskStore;
let lifecycle: TaskLifecycle;
let now = 1_000;
let heard: [number[], TaskChange][];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-lifecycle-"));
  db = openDb(join(dir, "farm.db"));
  tasks = new TaskStore(db, await openSecretBox(db, dir));
  const evidence = new Evidence(join(dir, "evidence"), { maxAgeDays: 14, maxBytes: 1e9 });
  lifecycle = new TaskLifecycle(tasks, () => now, evidence);
  heard = [];
  lifecycle.onChange((ids, change) => heard.push([ids, change]));
});

afterEach(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

const task = (serial = "PHONE1") => newTask({ serial });

/** A run whose end the test decides: it writes a failure when aborted, as the runner does. */
function fakeRunOf(id: number) {
  let ended = () => {};
  return {
    abort(failure: Failure) {
      now += 500; // its cleanup takes a while
      lifecycle.fail(id, failure).then(ended, ended);
    },
    ended: new Promise<void>((resolve) => (ended = resolve)),
  };
}

test("a transition that lost its race changes nothing and is not announced", async () => {
  const [id] = (await lifecycle.create([task()])) as [number];
  expect(await lifecycle.complete(id)).toBe(false);
  expect(await lifecycle.retry(id)).toBe(false);
  expect(await lifecycle.start(id, fakeRunOf(id))).toBe(true);
  expect(await lifecycle.start(id, fakeRunOf(id))).toBe(false);
  expect(await lifecycle.complete(id)).toBe(true);
  expect(await lifecycle.fail(id, { reason: "error", message: "late", errorClass: "permanent" })).toBe(false);
  expect((await tasks.get(id))?.status).toBe(TaskStatus.completed);
  expect(heard).toEqual([
    [[id], "pending"],
    [[id], "running"],
    [[id], "completed"],
  ]);
});

test("stopping a running task waits for the run, which writes its end once", async () => {
  const [id] = (await lifecycle.create([task()])) as [number];
  await lifecycle.start(id, fakeRunOf(id));
  const stoppedAt = now;
  await lifecycle.stop(id);
  const row = await tasks.get(id);
  expect(row).toMatchObject({ status: TaskStatus.failed, error: "stopped by user", errorClass: "permanent" });
  // the end the run wrote after its cleanup, not a second one at the moment of the request
  expect(row?.finishedAt).toBe(stoppedAt + 500);
  expect(heard.filter(([, change]) => change === "failed")).toEqual([[[id], "failed"]]);
});

test("stopping a pending task fails it at once; retry, retryAll and interruptAll check the status", async () => {
  const [a, b, c] = (await lifecycle.create([task(), task(), task("PHONE2")])) as [number, number, number];
  await lifecycle.stop(a);
  expect(await tasks.get(a)).toMatchObject({ status: TaskStatus.failed, error: "stopped by user" });
  expect(await lifecycle.retry(a)).toBe(true);
  expect(await tasks.get(a)).toMatchObject({ status: TaskStatus.pending, retryCount: 1, error: null });
  await lifecycle.start(b, fakeRunOf(b));
  expect((await lifecycle.retryAll()).ids).toEqual([]);
  expect(await lifecycle.interruptAll()).toBe(1);
  expect(await tasks.get(b)).toMatchObject({ status: TaskStatus.failed, errorClass: "permanent" });
  expect((await tasks.get(b))?.error?.startsWith("interrupted")).toBe(true);
  expect((await tasks.get(c))?.status).toBe(TaskStatus.pending);
  expect(await lifecycle.retryAt(b, now + 60_000)).toBe(true);
  expect(await tasks.get(b)).toMatchObject({
    status: TaskStatus.pending,
    scheduledAt: now + 60_000,
    retryCount: 1,
  });
});

test("delete stops a running task first and removes its evidence", async () => {
  const [a, b] = (await lifecycle.create([task(), task("PHONE2")])) as [number, number];
  await lifecycle.start(a, fakeRunOf(a));
  for (const id of [a, b]) {
    mkdirSync(join(dir, "evidence", String(id)), { recursive: true });
    writeFileSync(join(dir, "evidence", String(id), "ui.xml"), "<hierarchy/>");
  }
  expect((await lifecycle.delete([a, b, 999])).sort()).toEqual([a, b].sort());
  expect(await tasks.get(a)).toBeUndefined();
  expect(existsSync(join(dir, "evidence", String(a)))).toBe(false);
  expect(existsSync(join(dir, "evidence", String(b)))).toBe(false);
  // the running one ended (stopped) before it went
  expect(heard.map(([ids, change]) => `${ids}:${change}`)).toContain(`${a}:failed`);
});

test("a point of no return is on disk at once and outlives a crash; a retry forgets it", async () => {
  const [a, b] = (await lifecycle.create([task(), task("PHONE2")])) as [number, number];
  expect(await lifecycle.markIrreversible(a, "Post was tapped")).toBe(false); // not running
  await lifecycle.start(a, fakeRunOf(a));
  await lifecycle.start(b, fakeRunOf(b));
  expect(await lifecycle.markIrreversible(a, "Post was tapped")).toBe(true);
  expect(await lifecycle.interruptAll()).toBe(2);
  expect(await tasks.get(a)).toMatchObject({ failureReason: "interrupted", irreversible: "Post was tapped" });
  expect(await tasks.retrySkipOf(a)).toBe("post_tapped");
  expect(await tasks.retrySkipOf(b)).toBe("permanent");
  expect(await lifecycle.retryAll()).toEqual({
    ids: [],
    skipped: { post_tapped: 1, stopped_by_user: 0, permanent: 1 },
  });
  expect((await lifecycle.retryAll(true)).ids).toEqual([a, b]);
  expect(await tasks.get(a)).toMatchObject({
    status: TaskStatus.pending,
    failureReason: null,
    irreversible: null,
  });
});

test("a run's end fails only a running task: a stop and a retry made meanwhile elsewhere stay", async () => {
  const late: Failure = { reason: "timeout", message: "timed out after 60 s", errorClass: "retryable" };
  const [id] = (await lifecycle.create([task()])) as [number];
  await lifecycle.start(id, fakeRunOf(id));
  // another PC stopped it (written in the database, not through this run), then a person retried it
  expect(
    await lifecycle.fail(id, { reason: "stopped", message: "stopped by user", errorClass: "permanent" }),
  ).toBe(true);
  expect(await lifecycle.failRun(id, late)).toBe(false);
  expect(await tasks.get(id)).toMatchObject({ status: TaskStatus.failed, failureReason: "stopped" });
  expect(await lifecycle.retry(id)).toBe(true);
  expect(await lifecycle.failRun(id, late)).toBe(false);
  expect((await tasks.get(id))?.status).toBe(TaskStatus.pending);
  expect(heard.map(([, change]) => change)).toEqual(["pending", "running", "failed", "pending"]);
});
