// The totals of lists filtered by status and/or source come from counts kept by triggers, not from counting
// rows: after inserts, status changes, retries and deletes they must still equal a real count(*).
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TASK_SOURCES, type TaskSource } from "../../src/domain.ts";
import { closeDb, type Db, openDb } from "../../src/store/db.ts";
import { openSecretBox } from "../../src/store/secret-box.ts";
import { TaskStore } from "../../src/store/tasks.ts";

let dir: string;
let db: Db;
let tasks: TaskStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "farm-counts-"));
  db = openDb(join(dir, "farm.db"));
  tasks = new TaskStore(db, await openSecretBox(db, dir));
});

afterEach(() => {
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

const newTask = (source: TaskSource) => ({
  serial: "PHONE1",
  username: null,
  accountId: null,
  platform: "tiktok" as const,
  scriptName: "follow",
  scriptConfig: "{}",
  source,
  startTime: null,
  scheduledAt: null,
});

async function expectTotalsExact() {
  for (const source of TASK_SOURCES) {
    for (const status of [undefined, 0, 1, 2, 3]) {
      const real = db.$client
        .query("select count(*) as n from tasks where source = ? and (? is null or status = ?)")
        .get(source, status ?? null, status ?? null) as { n: number };
      expect({ source, status, n: (await tasks.list({ status, source }, 1, 1)).total }).toEqual({
        source,
        status,
        n: real.n,
      });
    }
  }
}

test("status and source totals stay exact through every transition", async () => {
  const sources = TASK_SOURCES;
  const ids = await tasks.create(
    Array.from({ length: 12 }, (_, i) => newTask(sources[i % sources.length] as TaskSource)),
  );
  await expectTotalsExact();
  for (const id of ids.slice(0, 8)) await tasks.markRunning(id);
  for (const id of ids.slice(0, 3)) await tasks.markCompleted(id);
  for (const id of ids.slice(3, 6)) await tasks.markFailed(id, "boom", "retryable", "error");
  await expectTotalsExact();
  await tasks.retry(ids[3] as number);
  await tasks.failAllRunning("restart");
  await tasks.delete([ids[0] as number, ids[4] as number, ids[11] as number]);
  await expectTotalsExact();
  expect((await tasks.list({ source: "api" }, 1, 1)).total).toBeGreaterThan(0);
});
