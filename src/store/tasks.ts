// Task queries. Each status change checks the current status; tasks/lifecycle.ts is the one caller that
// moves tasks between states (and tells listeners). A config's secrets are sealed on the way in and opened
// on the way out (secret-box.ts): callers see them clear, the file never holds them so.
import { and, asc, desc, eq, inArray, ne, type SQL, sql } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import {
  type ErrorClass,
  type FailureReason,
  type PostRecord,
  type TaskSource,
  TaskStatus,
  type TaskStatusValue,
} from "../domain.ts";
import { type AnyDb, execute, type Handle, handleOf, jsonKey, prepared, transaction } from "./db.ts";
import type * as schema from "./schema.ts";
import type { TaskLogRow, TaskRow } from "./schema.ts";
import type { SecretBox } from "./secret-box.ts";

type Tables = typeof schema;

export type NewTask = Omit<
  typeof schema.tasks.$inferInsert,
  | "id"
  | "status"
  | "createdAt"
  | "updatedAt"
  | "retryCount"
  | "error"
  | "errorClass"
  | "failureReason"
  | "irreversible"
  | "result"
>;

/**
 * Why a failed task is not safe to run again without a person saying so: it passed its point of no return
 * (Post was tapped), the user stopped it, or it failed for good. Retryable failures are none of these.
 */
export type RetrySkip = "post_tapped" | "stopped_by_user" | "permanent";

/** The same, in SQL, for one failed row: null when it is retryable. */
const retrySkip = ({ tasks }: Tables) => sql<RetrySkip | null>`case
  when ${tasks.errorClass} = 'retryable' then null
  when ${tasks.irreversible} is not null then 'post_tapped'
  when ${tasks.failureReason} = 'stopped' then 'stopped_by_user'
  else 'permanent' end`;

/** A post cut off by a restart after Post was tapped, whose proof was not looked for yet. */
const unproven = (h: Handle) =>
  and(
    eq(h.t.tasks.status, TaskStatus.failed),
    eq(h.t.tasks.failureReason, "interrupted"),
    sql`${jsonKey(h, h.t.tasks.result, "outcome")} = 'tapped'`,
  );

export interface TaskFilter {
  status?: number;
  serial?: string;
  scriptName?: string;
  source?: TaskSource;
}

const p = (name: string) => sql.placeholder(name);

export class TaskStore {
  private readonly h: Handle;
  private readonly byId;
  private readonly logsOf;
  private readonly counts;
  private readonly sourceCounts;
  private readonly listCache = new Map<string, ReturnType<TaskStore["prepareList"]>>();
  private readonly headOf;
  private readonly nextScheduled;

  constructor(
    db: AnyDb,
    private readonly box: SecretBox,
  ) {
    const h = handleOf(db);
    this.h = h;
    const { q, t } = h;
    const { tasks, taskLogs } = t;
    // the runner's queue: per phone, first due first (scheduled_at, then id; no scheduled_at = due at once)
    this.headOf = prepared(
      h,
      q
        .select()
        .from(tasks)
        .where(
          and(
            eq(tasks.status, TaskStatus.pending),
            eq(tasks.serial, p("serial")),
            sql`(${tasks.scheduledAt} is null or ${tasks.scheduledAt} <= ${p("now")})`,
          ),
        )
        // no scheduled_at sorts first (SQLite's default, not Postgres's)
        .orderBy(sql`${tasks.scheduledAt} asc nulls first`, asc(tasks.id))
        .limit(1),
    );
    this.nextScheduled = prepared(
      h,
      q
        .select({ at: sql<number | null>`min(${tasks.scheduledAt})`.mapWith(nullableNumber) })
        .from(tasks)
        .where(and(eq(tasks.status, TaskStatus.pending), sql`${tasks.scheduledAt} > ${p("now")}`)),
    );
    this.byId = prepared(
      h,
      q
        .select()
        .from(tasks)
        .where(eq(tasks.id, p("id"))),
    );
    this.logsOf = prepared(
      h,
      q
        .select()
        .from(taskLogs)
        .where(eq(taskLogs.taskId, p("id")))
        .orderBy(asc(taskLogs.id)),
    );
    this.counts = prepared(h, q.select().from(t.taskCounts));
    this.sourceCounts = prepared(h, q.select().from(t.taskSourceCounts));
    this.insertLog = h.sqlite
      ? h.sqlite.$client.prepare(
          `insert into task_logs (task_id, at, level, message, duration_ms)
       select $taskId, $at, $level, $message, $durationMs where exists (select 1 from tasks where id = $taskId)`,
        )
      : null;
  }

  private readonly insertLog;

  /** The task that should run next on this phone, if one is due at `now`. */
  async headFor(serial: string, now: number): Promise<TaskRow | undefined> {
    return this.opened((await this.headOf({ serial, now }))[0]);
  }

  private opened<R extends TaskRow | undefined>(row: R): R {
    return row && { ...row, scriptConfig: this.box.openConfig(row.scriptConfig) };
  }

  /** The earliest moment after `now` at which a pending task becomes due, if any. */
  async nextDueAfter(now: number): Promise<number | null> {
    return (await this.nextScheduled({ now }))[0]?.at ?? null;
  }

  /** All or nothing: returns the new ids in order. */
  create(rows: NewTask[], now = Date.now()): Promise<number[]> {
    const { tasks } = this.h.t;
    const values = rows.map((row) => ({
      ...row,
      scriptConfig: this.box.sealConfig(row.scriptConfig),
      status: TaskStatus.pending,
      createdAt: now,
      updatedAt: now,
    }));
    return transaction(this.h, function* (tx) {
      const ids: number[] = [];
      for (const value of values) {
        const [row] = (yield tx.insert(tasks).values(value).returning({ id: tasks.id })) as { id: number }[];
        ids.push((row as { id: number }).id);
      }
      return ids;
    });
  }

  async get(id: number): Promise<TaskRow | undefined> {
    return this.opened((await this.byId({ id }))[0]);
  }

  logs(id: number): Promise<TaskLogRow[]> {
    return this.logsOf({ id });
  }

  private prepareList(filter: TaskFilter) {
    const { q, t } = this.h;
    const { tasks } = t;
    const where: SQL[] = [];
    if (filter.status !== undefined) where.push(eq(tasks.status, p("status")));
    if (filter.serial !== undefined) where.push(eq(tasks.serial, p("serial")));
    if (filter.scriptName !== undefined) where.push(eq(tasks.scriptName, p("scriptName")));
    if (filter.source !== undefined) where.push(eq(tasks.source, p("source")));
    const cond = where.length > 0 ? and(...where) : undefined;
    return {
      page: prepared(
        this.h,
        q
          .select()
          .from(tasks)
          .where(cond)
          .orderBy(desc(tasks.createdAt), desc(tasks.id))
          .limit(p("limit"))
          .offset(p("offset")),
      ),
      total: prepared(
        this.h,
        q
          .select({ n: sql<number>`count(*)`.mapWith(Number) })
          .from(tasks)
          .where(cond),
      ),
    };
  }

  /** Newest first; one prepared statement pair per combination of filters. */
  async list(
    filter: TaskFilter,
    page: number,
    pageSize: number,
  ): Promise<{ rows: TaskRow[]; total: number }> {
    const key = ["status", "serial", "scriptName", "source"]
      .map((k) => (filter[k as keyof TaskFilter] === undefined ? "-" : k))
      .join(",");
    let q = this.listCache.get(key);
    if (!q) {
      q = this.prepareList(filter);
      this.listCache.set(key, q);
    }
    const params = { ...filter, limit: pageSize, offset: (page - 1) * pageSize };
    const rows = (await q.page(params)).map((row) => this.opened(row));
    // filtered by status and/or source alone (or not at all), the kept counts answer without counting rows
    const byCountsOnly = filter.serial === undefined && filter.scriptName === undefined;
    let total: number;
    if (!byCountsOnly) total = (await q.total(params))[0]?.n ?? 0;
    else if (filter.source !== undefined) total = await this.countBySource(filter.status, filter.source);
    else if (filter.status === undefined) total = (await this.stats()).total;
    else total = (await this.countsByStatus())[filter.status] ?? 0;
    return { rows, total };
  }

  /** Tasks from one source, of one status or any, from the counts the triggers keep. */
  private async countBySource(status: number | undefined, source: string): Promise<number> {
    let n = 0;
    for (const row of await this.sourceCounts()) {
      if (row.source === source && (status === undefined || row.status === status)) n += Number(row.n);
    }
    return n;
  }

  /** Tasks per status value, from the counts the triggers keep. */
  private async countsByStatus(): Promise<number[]> {
    const n = [0, 0, 0, 0];
    for (const row of await this.counts()) n[row.status] = Number(row.n);
    return n;
  }

  async stats(): Promise<{
    total: number;
    pending: number;
    running: number;
    completed: number;
    failed: number;
  }> {
    const [pending = 0, running = 0, completed = 0, failed = 0] = await this.countsByStatus();
    return { total: pending + running + completed + failed, pending, running, completed, failed };
  }

  /** Updates the task `id` where `cond` holds; whether it did. */
  private async changed(
    id: number,
    set: SQLiteUpdateSetSource<typeof schema.tasks>,
    cond?: SQL,
  ): Promise<boolean> {
    const { q, t } = this.h;
    const where = cond ? and(eq(t.tasks.id, id), cond) : eq(t.tasks.id, id);
    return (await q.update(t.tasks).set(set).where(where).returning({ id: t.tasks.id })).length === 1;
  }

  private isStatus(status: TaskStatusValue): SQL {
    return eq(this.h.t.tasks.status, status);
  }

  /**
   * pending → running, on `node` (kept after the run: where its evidence is). False if the task is no longer
   * pending (stopped or deleted meanwhile).
   */
  markRunning(id: number, now = Date.now(), node: string | null = null): Promise<boolean> {
    return this.changed(
      id,
      { status: TaskStatus.running, startedAt: now, finishedAt: null, updatedAt: now, node },
      this.isStatus(TaskStatus.pending),
    );
  }

  /** A running task's account, once the phone showed which one is in use (device mode). */
  setAccount(id: number, username: string, accountId: number, now = Date.now()): Promise<boolean> {
    return this.changed(id, { username, accountId, updatedAt: now }, this.isStatus(TaskStatus.running));
  }

  /** running → completed. */
  markCompleted(id: number, now = Date.now()): Promise<boolean> {
    return this.changed(
      id,
      {
        status: TaskStatus.completed,
        finishedAt: now,
        updatedAt: now,
        error: null,
        errorClass: null,
        failureReason: null,
      },
      this.isStatus(TaskStatus.running),
    );
  }

  /** A running task passed its point of no return (`what`, e.g. "Post was tapped"): on disk before it happens. */
  setIrreversible(id: number, what: string, now = Date.now()): Promise<boolean> {
    return this.changed(id, { irreversible: what, updatedAt: now }, this.isStatus(TaskStatus.running));
  }

  /** A running post's record (what it posted, whether it was seen): on disk at once, like `irreversible`. */
  setResult(id: number, result: PostRecord, now = Date.now()): Promise<boolean> {
    return this.changed(id, { result, updatedAt: now }, this.isStatus(TaskStatus.running));
  }

  /**
   * Posts cut off by a restart after Post was tapped, not checked yet (their record still says `tapped`), on
   * `serial`: their proof is looked for once the phone is back.
   */
  async unprovenPosts(serial: string): Promise<TaskRow[]> {
    const { q, t } = this.h;
    const rows = await q
      .select()
      .from(t.tasks)
      .where(and(eq(t.tasks.serial, serial), unproven(this.h)))
      .orderBy(asc(t.tasks.id));
    return rows.map((row) => this.opened(row));
  }

  /** Whether any task is an unproven post (see unprovenPosts). */
  async hasUnprovenPosts(): Promise<boolean> {
    const { q, t } = this.h;
    return (await q.select({ id: t.tasks.id }).from(t.tasks).where(unproven(this.h)).limit(1)).length > 0;
  }

  /** An unproven post was seen on its account after the restart: failed → completed, with its record. */
  markVerified(id: number, result: PostRecord, now = Date.now()): Promise<boolean> {
    return this.changed(
      id,
      {
        status: TaskStatus.completed,
        result,
        updatedAt: now,
        error: null,
        errorClass: null,
        failureReason: null,
      },
      unproven(this.h),
    );
  }

  /** An unproven post was not seen on its account after the restart: it stays failed, its record says so. */
  markNotFound(id: number, result: PostRecord, now = Date.now()): Promise<boolean> {
    return this.changed(id, { result, updatedAt: now }, unproven(this.h));
  }

  /** pending or running (or only `from`) → failed, with why. False if it was in none of those. */
  markFailed(
    id: number,
    error: string,
    errorClass: ErrorClass,
    failureReason: FailureReason,
    now = Date.now(),
    from: readonly TaskStatusValue[] = [TaskStatus.pending, TaskStatus.running],
  ): Promise<boolean> {
    return this.changed(
      id,
      { status: TaskStatus.failed, finishedAt: now, updatedAt: now, error, errorClass, failureReason },
      inArray(this.h.t.tasks.status, [...from]),
    );
  }

  /** Every running task → failed (at start-up: they were interrupted). Returns their ids. */
  async failAllRunning(error: string, now = Date.now()): Promise<number[]> {
    const { q, t } = this.h;
    const rows = await q
      .update(t.tasks)
      .set(interrupted(error, now))
      .where(eq(t.tasks.status, TaskStatus.running))
      .returning({ id: t.tasks.id });
    return rows.map((r) => r.id);
  }

  private retrySet(now: number) {
    return {
      status: TaskStatus.pending,
      retryCount: sql`${this.h.t.tasks.retryCount} + 1`,
      error: null,
      errorClass: null,
      failureReason: null,
      irreversible: null,
      result: null,
      startedAt: null,
      finishedAt: null,
      updatedAt: now,
    };
  }

  /** failed → pending, retry_count + 1, error cleared. A future scheduledAt delays it (automatic retry). */
  retry(id: number, now = Date.now(), scheduledAt?: number): Promise<boolean> {
    const set = scheduledAt === undefined ? this.retrySet(now) : { ...this.retrySet(now), scheduledAt };
    return this.changed(id, set, this.isStatus(TaskStatus.failed));
  }

  /** Why this failed task should not be retried without a person confirming; null when it is retryable. */
  async retrySkipOf(id: number): Promise<RetrySkip | null> {
    const { q, t } = this.h;
    const [row] = await q
      .select({ skip: retrySkip(t) })
      .from(t.tasks)
      .where(and(eq(t.tasks.id, id), eq(t.tasks.status, TaskStatus.failed)));
    return row?.skip ?? null;
  }

  /**
   * Failed tasks → pending, in one transaction: the retryable ones, or with `includeAll` every one. Returns
   * their ids and how many were left failed, by why.
   */
  retryAll(
    now = Date.now(),
    includeAll = false,
  ): Promise<{ ids: number[]; skipped: Record<RetrySkip, number> }> {
    const { t } = this.h;
    const { tasks } = t;
    const set = this.retrySet(now);
    return transaction(this.h, function* (tx) {
      const skipped = { post_tapped: 0, stopped_by_user: 0, permanent: 0 };
      const failed = eq(tasks.status, TaskStatus.failed);
      if (!includeAll) {
        const skip = retrySkip(t);
        const counts = (yield tx
          .select({ skip, n: sql<number>`count(*)`.mapWith(Number) })
          .from(tasks)
          .where(failed)
          .groupBy(skip)) as { skip: RetrySkip | null; n: number }[];
        for (const { skip, n } of counts) if (skip) skipped[skip] = Number(n);
      }
      const ids = (
        (yield tx
          .update(tasks)
          .set(set)
          .where(includeAll ? failed : and(failed, eq(tasks.errorClass, "retryable")))
          .returning({ id: tasks.id })) as { id: number }[]
      ).map((r) => r.id);
      return { ids, skipped };
    });
  }

  /** Deletes the tasks (and their logs); returns the ids that existed. */
  async delete(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const { q, t } = this.h;
    const rows = await q.delete(t.tasks).where(inArray(t.tasks.id, ids)).returning({ id: t.tasks.id });
    return rows.map((r) => r.id);
  }

  /** Per phone: the running task and how many wait (pending). Phones with neither are absent. */
  async loadByDevice(serial?: string): Promise<Map<string, { running: number | null; queued: number }>> {
    const { q, t } = this.h;
    const { tasks } = t;
    const rows = await q
      .select({
        serial: tasks.serial,
        running: sql<number | null>`max(case when ${tasks.status} = 1 then ${tasks.id} end)`.mapWith(
          nullableNumber,
        ),
        queued: sql<number>`sum(case when ${tasks.status} = 0 then 1 else 0 end)`.mapWith(Number),
      })
      .from(tasks)
      .where(
        and(
          inArray(tasks.status, [TaskStatus.pending, TaskStatus.running]),
          serial === undefined ? undefined : eq(tasks.serial, serial),
        ),
      )
      .groupBy(tasks.serial);
    return new Map(rows.map((r) => [r.serial, { running: r.running, queued: r.queued }]));
  }

  /** The status and error of each of `ids` still in the store, by id (one query). */
  async statusesOf(ids: number[]): Promise<Map<number, Pick<TaskRow, "status" | "error">>> {
    if (ids.length === 0) return new Map();
    const { q, t } = this.h;
    const { tasks } = t;
    const rows = await q
      .select({ id: tasks.id, status: tasks.status, error: tasks.error })
      .from(tasks)
      .where(inArray(tasks.id, ids));
    return new Map(rows.map(({ id, ...rest }) => [id, rest]));
  }

  /** The tasks running on the farm's other nodes (not `node`), with their phones. */
  async runningElsewhere(node: string): Promise<{ id: number; serial: string }[]> {
    const { q, t } = this.h;
    const { tasks } = t;
    return q
      .select({ id: tasks.id, serial: tasks.serial })
      .from(tasks)
      .where(and(eq(tasks.status, TaskStatus.running), ne(tasks.node, node)));
  }

  /** A line in the task's log; none if the task was deleted meanwhile (its run may still be ending). */
  async addLog(
    taskId: number,
    level: "info" | "warn" | "error",
    message: string,
    durationMs?: number,
    at = Date.now(),
  ): Promise<void> {
    if (this.insertLog) {
      this.insertLog.run({ taskId, at, level, message, durationMs: durationMs ?? null });
      return;
    }
    await execute(
      this.h,
      sql`insert into task_logs (task_id, at, level, message, duration_ms)
       select ${taskId}, ${at}, ${level}, ${message}, ${durationMs ?? null} where exists (select 1 from tasks where id = ${taskId})`,
    );
  }
}

/** A running task cut off (its service or its node stopped): failed for good, never run again. */
export function interrupted(error: string, now: number) {
  return {
    status: TaskStatus.failed,
    finishedAt: now,
    updatedAt: now,
    error,
    errorClass: "permanent" as const,
    failureReason: "interrupted" as const,
  };
}

/** An aggregate's value as a number (Postgres answers bigint sums as text), null staying null. */
function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
