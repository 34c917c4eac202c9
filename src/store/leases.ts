// Which node runs which phone (issue 22): a node claims a phone's lease and starts the phone's first due
// task in one transaction, and gives the lease back when the run ends. On PostgreSQL the phone's lease row
// is locked `FOR UPDATE SKIP LOCKED` (another node claiming it at the same moment is skipped, never waited
// for), and the farm's running phones are counted under one transaction lock, so the plan's limit holds for
// the whole farm. On SQLite (one PC) the same claim runs as one synchronous transaction.
// The runner starts every task through a claim (tasks/lifecycle.ts start), on SQLite too.
import { and, asc, count, eq, inArray, isNotNull, isNull, notExists, or, type SQL, sql } from "drizzle-orm";
import { TaskStatus } from "../domain.ts";
import { type AnyDb, type Handle, handleOf, transaction } from "./db.ts";
import type { TaskRow } from "./schema.ts";
import type { SecretBox } from "./secret-box.ts";
import { interrupted } from "./tasks.ts";

/** The key of the transaction lock under which the farm's running phones are counted. */
const FARM_SLOTS = 50810;

type Lease = { serial: string; node: string | null };

export class LeaseStore {
  private readonly h: Handle;

  constructor(
    db: AnyDb,
    private readonly box: SecretBox,
  ) {
    this.h = handleOf(db);
  }

  /**
   * Takes `serial`'s lease for `node` and starts its first due task (scheduled_at, then id; its `node` set),
   * all or nothing. Undefined when the phone is being claimed elsewhere or runs a task, nothing is due, `limit`
   * phones of the farm already run one, or (with `only`) the first due task is another one.
   */
  async claim(
    node: string,
    serial: string,
    now: number,
    limit: number,
    only?: number,
  ): Promise<TaskRow | undefined> {
    const pg = this.h.dialect === "pg";
    const { tasks, phoneLeases: leases } = this.h.t;
    const row = await transaction(this.h, function* (tx) {
      yield tx.insert(leases).values({ serial }).onConflictDoNothing();
      const query = tx.select({ serial: leases.serial, node: leases.node }).from(leases);
      const locked = pg
        ? (query as unknown as { for(s: "update", o: { skipLocked: boolean }): typeof query })
            .for("update", { skipLocked: true })
            .where(eq(leases.serial, serial))
        : query.where(eq(leases.serial, serial));
      const [lease] = (yield locked) as Lease[];
      if (!lease || lease.node !== null) return undefined;
      const [head] = (yield tx
        .select()
        .from(tasks)
        .where(
          and(
            eq(tasks.status, TaskStatus.pending),
            eq(tasks.serial, serial),
            sql`(${tasks.scheduledAt} is null or ${tasks.scheduledAt} <= ${now})`,
          ),
        )
        .orderBy(sql`${tasks.scheduledAt} asc nulls first`, asc(tasks.id))
        .limit(1)) as TaskRow[];
      if (!head || (only !== undefined && head.id !== only)) return undefined;
      if (pg)
        yield (tx as unknown as { execute(q: SQL): Promise<unknown> }).execute(
          sql`select pg_advisory_xact_lock(${FARM_SLOTS})`,
        );
      const [busy] = (yield tx.select({ n: count() }).from(leases).where(isNotNull(leases.node))) as {
        n: number;
      }[];
      if ((busy?.n ?? 0) >= limit) return undefined;
      const [started] = (yield tx
        .update(tasks)
        .set({ status: TaskStatus.running, startedAt: now, finishedAt: null, updatedAt: now, node })
        .where(and(eq(tasks.id, head.id), eq(tasks.status, TaskStatus.pending)))
        .returning()) as TaskRow[];
      if (!started) return undefined;
      yield tx.update(leases).set({ node, taskId: head.id, leasedAt: now }).where(eq(leases.serial, serial));
      return started;
    });
    return row && { ...row, scriptConfig: this.box.openConfig(row.scriptConfig) };
  }

  /**
   * Takes `serial`'s lease for `node` without starting a task, for `taskId`'s sake (a check on the phone that
   * must not share it with a run): false when another holds it.
   */
  async hold(node: string, serial: string, taskId: number, now: number): Promise<boolean> {
    const { q, t } = this.h;
    const leases = t.phoneLeases;
    await q.insert(leases).values({ serial }).onConflictDoNothing();
    const rows = await q
      .update(leases)
      .set({ node, taskId, leasedAt: now })
      .where(and(eq(leases.serial, serial), isNull(leases.node)))
      .returning({ serial: leases.serial });
    return rows.length === 1;
  }

  /** The run on `serial` ended: `node` gives its lease back (a lease it does not hold is left alone). */
  async release(node: string, serial: string): Promise<boolean> {
    const { q, t } = this.h;
    const rows = await q
      .update(t.phoneLeases)
      .set({ node: null, taskId: null, leasedAt: null })
      .where(and(eq(t.phoneLeases.serial, serial), eq(t.phoneLeases.node, node)))
      .returning({ serial: t.phoneLeases.serial });
    return rows.length === 1;
  }

  /**
   * The running tasks of `node`'s leases fail `error` (interrupted, for good) and its leases go back, in one
   * transaction; with `orphans`, running tasks that no lease holds fail too (left by a version before leases).
   * A null `node` is every node: SQLite's one PC at start-up. Returns the failed tasks' ids.
   */
  failRunning(node: string | null, error: string, now: number, orphans = false): Promise<number[]> {
    const { tasks, phoneLeases: leases } = this.h.t;
    return transaction(this.h, function* (tx) {
      const held = node === null ? isNotNull(leases.node) : eq(leases.node, node);
      const mine = inArray(tasks.id, tx.select({ id: leases.taskId }).from(leases).where(held));
      const orphan = notExists(
        tx
          .select({ serial: leases.serial })
          .from(leases)
          .where(and(eq(leases.taskId, tasks.id), isNotNull(leases.node))),
      );
      const which = node === null ? undefined : orphans ? or(mine, orphan) : mine;
      const failed = (yield tx
        .update(tasks)
        .set(interrupted(error, now))
        .where(and(eq(tasks.status, TaskStatus.running), which))
        .returning({ id: tasks.id })) as { id: number }[];
      yield tx.update(leases).set({ node: null, taskId: null, leasedAt: null }).where(held);
      return failed.map((r) => r.id);
    });
  }

  /** The node running each leased phone, by serial. */
  async holders(): Promise<Map<string, string>> {
    const { q, t } = this.h;
    const rows = await q
      .select({ serial: t.phoneLeases.serial, node: t.phoneLeases.node })
      .from(t.phoneLeases)
      .where(isNotNull(t.phoneLeases.node));
    return new Map(rows.map((r) => [r.serial, r.node as string]));
  }
}
