// Task queries. Each status change checks the current status; tasks/lifecycle.ts is the one caller that
// moves tasks between states (and tells listeners). A config's secrets are sealed on the way in and opened
// on the way out (secret-box.ts): callers see them clear, the file never holds them so.
import { and, asc, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import {
  type ErrorClass,
  type FailureReason,
  type PostRecord,
  type TaskSource,
  TaskStatus,
} from "../domain.ts";
import type { Db } from "./db.ts";
import { type TaskLogRow, type TaskRow, taskCounts, taskLogs, taskSourceCounts, tasks } from "./schema.ts";
import type { SecretBox } from "./secret-box.ts";

export type NewTask = Omit<
  typeof tasks.$inferInsert,
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
const retrySkip = sql<RetrySkip | null>`case
  when ${tasks.errorClass} = 'retryable' then null
  when ${tasks.irreversible} is not null then 'post_tapped'
  when ${tasks.failureReason} = 'stopped' then 'stopped_by_user'
  else 'permanent' end`;

/** A post cut off by a restart after Post was tapped, whose proof was not looked for yet. */
const unproven = and(
  eq(tasks.status, TaskStatus.failed),
  eq(tasks.failureReason, "interrupted"),
  sql`json_extract(${tasks.result}, '$.outcome') = 'tapped'`,
);

export interface TaskFilter {
  status?: number;
  serial?: string;
  scriptName?: string;
  source?: TaskSource;
}

const p = (name: string) => sql.placeholder(name);

export class TaskStore {
  private readonly byId;
  private readonly logsOf;
  private readonly counts;
  private readonly sourceCounts;
  private readonly listCache = new Map<string, ReturnType<TaskStore["prepareList"]>>();
  private readonly headOf;
  private readonly nextScheduled;
  private readonly insertLog;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {
    // the runner's queue: per phone, first due first (scheduled_at, then id; no scheduled_at = due at once)
    this.headOf = db
      .select()
      .from(tasks)
      .where(
        and(
          eq(tasks.status, TaskStatus.pending),
          eq(tasks.serial, p("serial")),
          sql`(${tasks.scheduledAt} is null or ${tasks.scheduledAt} <= ${p("now")})`,
        ),
      )
      .orderBy(asc(tasks.scheduledAt), asc(tasks.id))
      .limit(1)
      .prepare();
    this.nextScheduled = db
      .select({ at: sql<number | null>`min(${tasks.scheduledAt})` })
      .from(tasks)
      .where(and(eq(tasks.status, TaskStatus.pending), sql`${tasks.scheduledAt} > ${p("now")}`))
      .prepare();
    this.byId = db
      .select()
      .from(tasks)
      .where(eq(tasks.id, p("id")))
      .prepare();
    this.logsOf = db
      .select()
      .from(taskLogs)
      .where(eq(taskLogs.taskId, p("id")))
      .orderBy(asc(taskLogs.id))
      .prepare();
    this.counts = db.select().from(taskCounts).prepare();
    this.sourceCounts = db.select().from(taskSourceCounts).prepare();
    this.insertLog = db.$client.prepare(
      `insert into task_logs (task_id, at, level, message, duration_ms)
       select $taskId, $at, $level, $message, $durationMs where exists (select 1 from tasks where id = $taskId)`,
    );
  }

  /** The task that should run next on this phone, if one is due at `now`. */
  headFor(serial: string, now: number): TaskRow | undefined {
    return this.opened(this.headOf.get({ serial, now }));
  }

  private opened<R extends TaskRow | undefined>(row: R): R {
    return row && { ...row, scriptConfig: this.box.openConfig(row.scriptConfig) };
  }

  /** The earliest moment after `now` at which a pending task becomes due, if any. */
  nextDueAfter(now: number): number | null {
    return this.nextScheduled.get({ now })?.at ?? null;
  }

  /** All or nothing: returns the new ids in order. */
  create(rows: NewTask[], now = Date.now()): number[] {
    return this.db.transaction((tx) =>
      rows.map(
        (row) =>
          tx
            .insert(tasks)
            .values({
              ...row,
              scriptConfig: this.box.sealConfig(row.scriptConfig),
              status: TaskStatus.pending,
              createdAt: now,
              updatedAt: now,
            })
            .returning({ id: tasks.id })
            .get().id,
      ),
    );
  }

  get(id: number): TaskRow | undefined {
    return this.opened(this.byId.get({ id }));
  }

  logs(id: number): TaskLogRow[] {
    return this.logsOf.all({ id });
  }

  private prepareList(filter: TaskFilter) {
    const where: SQL[] = [];
    if (filter.status !== undefined) where.push(eq(tasks.status, p("status")));
    if (filter.serial !== undefined) where.push(eq(tasks.serial, p("serial")));
    if (filter.scriptName !== undefined) where.push(eq(tasks.scriptName, p("scriptName")));
    if (filter.source !== undefined) where.push(eq(tasks.source, p("source")));
    const cond = where.length > 0 ? and(...where) : undefined;
    return {
      page: this.db
        .select()
        .from(tasks)
        .where(cond)
        .orderBy(desc(tasks.createdAt), desc(tasks.id))
        .limit(p("limit"))
        .offset(p("offset"))
        .prepare(),
      total: this.db.select({ n: sql<number>`count(*)` }).from(tasks).where(cond).prepare(),
    };
  }

  /** Newest first; one prepared statement pair per combination of filters. */
  list(filter: TaskFilter, page: number, pageSize: number): { rows: TaskRow[]; total: number } {
    const key = ["status", "serial", "scriptName", "source"]
      .map((k) => (filter[k as keyof TaskFilter] === undefined ? "-" : k))
      .join(",");
    let q = this.listCache.get(key);
    if (!q) {
      q = this.prepareList(filter);
      this.listCache.set(key, q);
    }
    const params = { ...filter, limit: pageSize, offset: (page - 1) * pageSize };
    const rows = q.page.all(params).map((row) => this.opened(row));
    // filtered by status and/or source alone (or not at all), the kept counts answer without counting rows
    const byCountsOnly = filter.serial === undefined && filter.scriptName === undefined;
    let total: number;
    if (!byCountsOnly) total = q.total.get(params)?.n ?? 0;
    else if (filter.source !== undefined) total = this.countBySource(filter.status, filter.source);
    else if (filter.status === undefined) total = this.stats().total;
    else total = this.countsByStatus()[filter.status] ?? 0;
    return { rows, total };
  }

  /** Tasks from one source, of one status or any, from the counts the triggers keep. */
  private countBySource(status: number | undefined, source: string): number {
    let n = 0;
    for (const row of this.sourceCounts.all()) {
      if (row.source === source && (status === undefined || row.status === status)) n += row.n;
    }
    return n;
  }

  /** Tasks per status value, from the counts the triggers keep. */
  private countsByStatus(): number[] {
    const n = [0, 0, 0, 0];
    for (const row of this.counts.all()) n[row.status] = row.n;
    return n;
  }

  stats(): { total: number; pending: number; running: number; completed: number; failed: number } {
    const [pending = 0, running = 0, completed = 0, failed = 0] = this.countsByStatus();
    return { total: pending + running + completed + failed, pending, running, completed, failed };
  }

  /** pending → running. False if the task is no longer pending (stopped or deleted meanwhile). */
  markRunning(id: number, now = Date.now()): boolean {
    return (
      this.db
        .update(tasks)
        .set({ status: TaskStatus.running, startedAt: now, finishedAt: null, updatedAt: now })
        .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.pending)))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /** A running task's account, once the phone showed which one is in use (device mode). */
  setAccount(id: number, username: string, accountId: number, now = Date.now()): boolean {
    return (
      this.db
        .update(tasks)
        .set({ username, accountId, updatedAt: now })
        .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.running)))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /** running → completed. */
  markCompleted(id: number, now = Date.now()): boolean {
    return (
      this.db
        .update(tasks)
        .set({
          status: TaskStatus.completed,
          finishedAt: now,
          updatedAt: now,
          error: null,
          errorClass: null,
          failureReason: null,
        })
        .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.running)))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /** A running task passed its point of no return (`what`, e.g. "Post was tapped"): on disk before it happens. */
  setIrreversible(id: number, what: string, now = Date.now()): boolean {
    return (
      this.db
        .update(tasks)
        .set({ irreversible: what, updatedAt: now })
        .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.running)))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /** A running post's record (what it posted, whether it was seen): on disk at once, like `irreversible`. */
  setResult(id: number, result: PostRecord, now = Date.now()): boolean {
    return (
      this.db
        .update(tasks)
        .set({ result, updatedAt: now })
        .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.running)))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /**
   * Posts cut off by a restart after Post was tapped, not checked yet (their record still says `tapped`), on
   * `serial`: their proof is looked for once the phone is back.
   */
  unprovenPosts(serial: string): TaskRow[] {
    return this.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.serial, serial), unproven))
      .orderBy(asc(tasks.id))
      .all()
      .map((row) => this.opened(row));
  }

  /** Whether any task is an unproven post (see unprovenPosts). */
  hasUnprovenPosts(): boolean {
    return this.db.select({ id: tasks.id }).from(tasks).where(unproven).limit(1).get() !== undefined;
  }

  /** An unproven post was seen on its account after the restart: failed → completed, with its record. */
  markVerified(id: number, result: PostRecord, now = Date.now()): boolean {
    return (
      this.db
        .update(tasks)
        .set({
          status: TaskStatus.completed,
          result,
          updatedAt: now,
          error: null,
          errorClass: null,
          failureReason: null,
        })
        .where(and(eq(tasks.id, id), unproven))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /** An unproven post was not seen on its account after the restart: it stays failed, its record says so. */
  markNotFound(id: number, result: PostRecord, now = Date.now()): boolean {
    return (
      this.db
        .update(tasks)
        .set({ result, updatedAt: now })
        .where(and(eq(tasks.id, id), unproven))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /** pending or running → failed, with why. False if it had already finished. */
  markFailed(
    id: number,
    error: string,
    errorClass: ErrorClass,
    failureReason: FailureReason,
    now = Date.now(),
  ): boolean {
    return (
      this.db
        .update(tasks)
        .set({ status: TaskStatus.failed, finishedAt: now, updatedAt: now, error, errorClass, failureReason })
        .where(and(eq(tasks.id, id), inArray(tasks.status, [TaskStatus.pending, TaskStatus.running])))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /** Every running task → failed (at start-up: they were interrupted). Returns their ids. */
  failAllRunning(error: string, now = Date.now()): number[] {
    return this.db
      .update(tasks)
      .set({
        status: TaskStatus.failed,
        finishedAt: now,
        updatedAt: now,
        error,
        errorClass: "permanent",
        failureReason: "interrupted",
      })
      .where(eq(tasks.status, TaskStatus.running))
      .returning({ id: tasks.id })
      .all()
      .map((r) => r.id);
  }

  private retrySet(now: number) {
    return {
      status: TaskStatus.pending,
      retryCount: sql`${tasks.retryCount} + 1`,
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
  retry(id: number, now = Date.now(), scheduledAt?: number): boolean {
    const set = scheduledAt === undefined ? this.retrySet(now) : { ...this.retrySet(now), scheduledAt };
    return (
      this.db
        .update(tasks)
        .set(set)
        .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.failed)))
        .returning({ id: tasks.id })
        .all().length === 1
    );
  }

  /** Why this failed task should not be retried without a person confirming; null when it is retryable. */
  retrySkipOf(id: number): RetrySkip | null {
    return (
      this.db
        .select({ skip: retrySkip })
        .from(tasks)
        .where(and(eq(tasks.id, id), eq(tasks.status, TaskStatus.failed)))
        .get()?.skip ?? null
    );
  }

  /**
   * Failed tasks → pending, in one transaction: the retryable ones, or with `includeAll` every one. Returns
   * their ids and how many were left failed, by why.
   */
  retryAll(now = Date.now(), includeAll = false): { ids: number[]; skipped: Record<RetrySkip, number> } {
    return this.db.transaction((tx) => {
      const skipped = { post_tapped: 0, stopped_by_user: 0, permanent: 0 };
      const failed = eq(tasks.status, TaskStatus.failed);
      if (!includeAll) {
        const counts = tx
          .select({ skip: retrySkip, n: sql<number>`count(*)` })
          .from(tasks)
          .where(failed)
          .groupBy(retrySkip)
          .all();
        for (const { skip, n } of counts) if (skip) skipped[skip] = n;
      }
      const ids = tx
        .update(tasks)
        .set(this.retrySet(now))
        .where(includeAll ? failed : and(failed, eq(tasks.errorClass, "retryable")))
        .returning({ id: tasks.id })
        .all()
        .map((r) => r.id);
      return { ids, skipped };
    });
  }

  /** Deletes the tasks (and their logs); returns the ids that existed. */
  delete(ids: number[]): number[] {
    if (ids.length === 0) return [];
    return this.db
      .delete(tasks)
      .where(inArray(tasks.id, ids))
      .returning({ id: tasks.id })
      .all()
      .map((r) => r.id);
  }

  /** Per phone: the running task and how many wait (pending). Phones with neither are absent. */
  loadByDevice(serial?: string): Map<string, { running: number | null; queued: number }> {
    const rows = this.db
      .select({
        serial: tasks.serial,
        running: sql<number | null>`max(case when ${tasks.status} = 1 then ${tasks.id} end)`,
        queued: sql<number>`sum(case when ${tasks.status} = 0 then 1 else 0 end)`,
      })
      .from(tasks)
      .where(
        and(
          inArray(tasks.status, [TaskStatus.pending, TaskStatus.running]),
          serial === undefined ? undefined : eq(tasks.serial, serial),
        ),
      )
      .groupBy(tasks.serial)
      .all();
    return new Map(rows.map((r) => [r.serial, { running: r.running, queued: r.queued }]));
  }

  /** A line in the task's log; none if the task was deleted meanwhile (its run may still be ending). */
  addLog(
    taskId: number,
    level: "info" | "warn" | "error",
    message: string,
    durationMs?: number,
    at = Date.now(),
  ): void {
    this.insertLog.run({ taskId, at, level, message, durationMs: durationMs ?? null });
  }
}
