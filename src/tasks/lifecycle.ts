// The one place that moves a task between states (see README.md). The runner and the task service call
// it; neither calls the other. Each write checks the current status in SQL, so a transition that lost a race
// (a task stopped or deleted meanwhile) changes nothing and says so; listeners hear of a change once it is
// on disk.
import {
  type ErrorClass,
  type FailureReason,
  type PostRecord,
  TaskStatus,
  type TaskStatusText,
} from "../domain.ts";
import type { LeaseStore } from "../store/leases.ts";
import type { NewTask, RetrySkip, TaskStore } from "../store/tasks.ts";
import type { Evidence } from "./evidence.ts";

export interface Failure {
  reason: FailureReason;
  message: string;
  errorClass: ErrorClass;
}

export const STOPPED: Failure = { reason: "stopped", message: "stopped by user", errorClass: "permanent" };
export const INTERRUPTED: Failure = {
  reason: "interrupted",
  message: "interrupted: the service stopped while this task was running",
  errorClass: "permanent",
};
export const OFFLINE: Failure = {
  reason: "offline",
  message: "device went offline",
  errorClass: "retryable",
};
export const timedOut = (seconds: number): Failure => ({
  reason: "timeout",
  message: `timed out after ${seconds} s`,
  errorClass: "retryable",
});

/** What just happened to some tasks: their new status, or that they are gone. */
export type TaskChange = TaskStatusText | "deleted";
export type TaskChangeListener = (ids: number[], change: TaskChange) => void;

/** Whose lease a start takes: `node` claims `serial` while fewer than `limit` of the farm's phones run. */
export interface Claim {
  node: string;
  serial: string;
  limit: number;
}

/** A run in progress, as its runner hands it over at start: how to end it early, and when it has ended. */
export interface RunHandle {
  abort(failure: Failure): void;
  /** Settles once the run has written its end and cleaned up. */
  ended: Promise<void>;
}

export class TaskLifecycle {
  private readonly listeners = new Set<TaskChangeListener>();
  private readonly runs = new Map<number, RunHandle>();

  constructor(
    private readonly tasks: TaskStore,
    private readonly now: () => number = Date.now,
    private readonly evidence?: Evidence,
    /** The phones' leases, for starts that claim one (see start). */
    private readonly leases?: LeaseStore,
    /** This PC's name, written into each task it starts (a claim names its own). */
    private readonly node: string | null = null,
  ) {}

  /** Told of every change, after it is on disk. */
  onChange(listener: TaskChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(ids: number[], change: TaskChange): void {
    if (ids.length === 0) return;
    for (const listener of this.listeners) listener(ids, change);
  }

  /** → pending, all or nothing. Returns the new ids in order. */
  async create(rows: NewTask[]): Promise<number[]> {
    const ids = await this.tasks.create(rows, this.now());
    this.changed(ids, "pending");
    return ids;
  }

  /**
   * pending → running, with the handle that can end the run early. False if it is no longer pending. With
   * `claim`, the start takes the phone's lease in the same transaction, and only while `id` is the phone's
   * first due task and the farm's limit allows (see LeaseStore.claim): false otherwise.
   */
  async start(id: number, run: RunHandle, claim?: Claim): Promise<boolean> {
    // held before the write: a stop arriving while it is under way finds the run (and aborts it)
    this.runs.set(id, run);
    let started = false;
    try {
      if (!claim) started = await this.tasks.markRunning(id, this.now(), this.node);
      else if (!this.leases) throw new Error("a claim needs the phones' leases");
      else {
        const { node, serial, limit } = claim;
        started = (await this.leases.claim(node, serial, this.now(), limit, id)) !== undefined;
      }
    } finally {
      if (!started) this.runs.delete(id);
    }
    if (!started) return false;
    run.ended.finally(() => this.runs.delete(id));
    this.changed([id], "running");
    return true;
  }

  /** Names the account a running task runs as (read from the phone in device mode); heard as "running". */
  async nameAccount(id: number, username: string, accountId: number): Promise<boolean> {
    return this.wrote([id], await this.tasks.setAccount(id, username, accountId, this.now()), "running");
  }

  /**
   * A running task is about to do what must not happen twice (`what`: "Post was tapped"). Written first, so a
   * crash right after still knows; a retry of its failure then needs a person's confirmation. Not a change of
   * state, and nothing a listener shows: not announced.
   */
  markIrreversible(id: number, what: string): Promise<boolean> {
    return this.tasks.setIrreversible(id, what, this.now());
  }

  /**
   * A running post's record: what it posted (written as Post is tapped, so a restart still knows what to look
   * for) and whether it was seen on the account. Not a change of state: not announced.
   */
  recordPost(id: number, record: PostRecord): Promise<boolean> {
    return this.tasks.setResult(id, record, this.now());
  }

  /**
   * A post cut off by a restart after Post was tapped was checked on its account once its phone was back:
   * seen → completed ("posted, verified after restart"); not seen → it stays failed, its record says so.
   */
  async settleUnproven(id: number, record: PostRecord): Promise<boolean> {
    if (record.outcome === "verified_after_restart") {
      return this.wrote([id], await this.tasks.markVerified(id, record, this.now()), "completed");
    }
    return this.wrote([id], await this.tasks.markNotFound(id, record, this.now()), "failed");
  }

  /** running → completed. */
  async complete(id: number): Promise<boolean> {
    return this.wrote([id], await this.tasks.markCompleted(id, this.now()), "completed");
  }

  /** pending or running → failed, with why. False if it had already finished. */
  async fail(id: number, failure: Failure): Promise<boolean> {
    return this.wrote([id], await this.tasks.markFailed(...this.failed(id, failure)), "failed");
  }

  /**
   * A run's own end: running → failed, with why. False when the task is no longer running: ended, retried or
   * deleted meanwhile (on a farm of PCs, by another PC), which the run's end must not undo.
   */
  async failRun(id: number, failure: Failure): Promise<boolean> {
    return this.wrote(
      [id],
      await this.tasks.markFailed(...this.failed(id, failure), [TaskStatus.running]),
      "failed",
    );
  }

  private failed(id: number, f: Failure) {
    return [id, f.message, f.errorClass, f.reason, this.now()] as const;
  }

  /**
   * A running task is aborted and writes its own end once its cleanup is done; a pending one (or one left
   * running by no run of this process) fails here. Either way it ends failed, "stopped by user". False when
   * it had ended meanwhile, by itself or elsewhere (a run of this process aborted says true).
   */
  async stop(id: number): Promise<boolean> {
    const run = this.runs.get(id);
    if (run) {
      run.abort(STOPPED);
      await run.ended;
      return true;
    }
    return this.fail(id, STOPPED);
  }

  /** Whether a run of this process runs the task (else it is pending, or another PC of the farm runs it). */
  runsHere(id: number): boolean {
    return this.runs.has(id);
  }

  /** failed → pending, retry_count + 1, error cleared (a person asked). */
  async retry(id: number): Promise<boolean> {
    return this.wrote([id], await this.tasks.retry(id, this.now()), "pending");
  }

  /** failed → pending, due at `at` (the runner's automatic retry of a retryable failure). */
  async retryAt(id: number, at: number): Promise<boolean> {
    return this.wrote([id], await this.tasks.retry(id, this.now(), at), "pending");
  }

  /** Retryable failed tasks (or, with `includeAll`, every failed one) → pending; the rest stay, counted by why. */
  async retryAll(includeAll = false): Promise<{ ids: number[]; skipped: Record<RetrySkip, number> }> {
    const result = await this.tasks.retryAll(this.now(), includeAll);
    this.changed(result.ids, "pending");
    return result;
  }

  /**
   * Tasks that are not running go at once (so none of them starts meanwhile); running ones are stopped
   * first, so their cleanup runs. Their logs and evidence go with them. Returns the ids that existed.
   */
  async delete(ids: number[]): Promise<number[]> {
    const running = ids.filter((id) => this.runs.has(id));
    const deleted = await this.remove(ids.filter((id) => !this.runs.has(id)));
    await Promise.all(running.map((id) => this.stop(id)));
    return [...deleted, ...(await this.remove(running))];
  }

  private async remove(ids: number[]): Promise<number[]> {
    const deleted = await this.tasks.delete(ids);
    for (const id of deleted) this.evidence?.remove(id);
    this.changed(deleted, "deleted");
    return deleted;
  }

  /**
   * At start-up, every task still running was cut off: it fails, never silently runs again (posting twice is
   * worse). With the phones' leases and `node` (a farm of PCs), only this node's tasks (those of the leases it
   * held, and those no lease holds), its leases given back; without `node`, every task and lease (one PC).
   */
  async interruptAll(node?: string): Promise<number> {
    const now = this.now();
    const ids = this.leases
      ? await this.leases.failRunning(node ?? null, INTERRUPTED.message, now, true)
      : await this.tasks.failAllRunning(INTERRUPTED.message, now);
    this.changed(ids, "failed");
    return ids.length;
  }

  /**
   * Another node of the farm stopped (its heartbeat ended): its running tasks fail "interrupted: node NAME
   * stopped", for good like a crash's, and its phones' leases go back. Returns the failed ids.
   */
  async nodeStopped(node: string): Promise<number[]> {
    if (!this.leases) return [];
    const ids = await this.leases.failRunning(node, `interrupted: node ${node} stopped`, this.now());
    this.changed(ids, "failed");
    return ids;
  }

  private wrote(ids: number[], ok: boolean, change: TaskChange): boolean {
    if (ok) this.changed(ids, change);
    return ok;
  }
}
