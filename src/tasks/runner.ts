// The runner: decides what runs where and when, runs it, and records how it ended.
//
// One running task per phone; at most the plan's device limit of phones busy at once; per phone, first due
// first. Event-driven: a pass looks for work when something changed (a task was created or retried, a task
// ended, a phone came online) or when the clock reaches the next scheduled task — never by polling.
// Every change of a task's state goes through the lifecycle.
import type { Phone } from "../devices/index.ts";
import { PhoneError } from "../devices/index.ts";
import { type PostRecord, STATUS_TEXT, TaskStatus } from "../domain.ts";
import type { Logger } from "../log.ts";
import { createScriptContext, type ScriptRun } from "../scripts/context.ts";
import { ScriptError } from "../scripts/errors.ts";
import type { ScriptRegistry } from "../scripts/registry.ts";
import { useTaskAccount } from "../scripts/screen/accounts.ts";
import { type Scrub, scrubber, secretsIn } from "../secrets.ts";
import type { LeaseStore } from "../store/leases.ts";
import type { TaskRow } from "../store/schema.ts";
import { hasSealed, SECRET_KEY_FILE } from "../store/secret-box.ts";
import type { TaskStore } from "../store/tasks.ts";
import type { Clock } from "./clock.ts";
import type { Evidence } from "./evidence.ts";
import {
  type Failure,
  INTERRUPTED,
  OFFLINE,
  STOPPED,
  type TaskChange,
  type TaskLifecycle,
  timedOut,
} from "./lifecycle.ts";
import type { ProgressBoard, ProgressSink } from "./progress.ts";

export interface PhoneSource {
  /** The phone, when it is online and usable. */
  phone(serial: string): Phone | undefined;
  /** Serials of the phones online now. */
  onlineSerials(): string[];
}

export interface RetryPolicy {
  /** Automatic retries of a retryable failure (0 = none). */
  maxRetries: number;
  /** A random delay in [min, max] ms before each automatic retry. */
  delayMs: [number, number];
}

export interface RunnerOptions {
  lifecycle: TaskLifecycle;
  /** The queue (read) and the runs' log lines (written); a task's state changes only through the lifecycle. */
  tasks: Pick<
    TaskStore,
    "statusesOf" | "headFor" | "nextDueAfter" | "addLog" | "unprovenPosts" | "hasUnprovenPosts"
  >;
  /** The scripts tasks name, and the services they are lent. */
  scripts: ScriptRegistry;
  phones: PhoneSource;
  clock: Clock;
  /** Phones allowed to run at once (the plan's device limit), asked on every pass. */
  deviceLimit: () => number;
  retry: RetryPolicy;
  /** Per-script maximum run time overrides, in seconds. */
  timeouts?: Record<string, number>;
  evidence?: Evidence;
  /** Whether writes reach the disk; no task starts while they do not. */
  storage?: StorageCheck;
  log: Logger;
  random?: () => number;
  /** Where each run's step and estimate are kept while it runs (default: nowhere). */
  progress?: ProgressBoard;
  /**
   * This node's name and the phones' leases: each start claims its phone's lease under `node` (the plan's
   * limit then counted over the whole farm), given back when the run ends. Without it, starts take no lease.
   */
  lease?: { node: string; store: Pick<LeaseStore, "release" | "hold"> };
}

type LogLine = Parameters<TaskStore["addLog"]>;
type LogLevel = LogLine[1];

/** What the runner asks of the store's health (see StorageHealth). */
export interface StorageCheck {
  healthy(): boolean;
  /** The operator's words when `error` is a storage failure (full disk, I/O error); null for other errors. */
  failure(error: unknown): string | null;
}

interface Run {
  task: TaskRow;
  controller: AbortController;
  done: Promise<void>;
  /** Log lines the disk did not take yet, saved in order before the run's end. */
  unsavedLogs: LogLine[];
  /** The run's log lines being written, one after the other (settles when all handed over are written). */
  logWrites: Promise<void>;
  /** The task's script_config, parsed once. */
  config: Record<string, unknown>;
  /** Cuts the config's secrets out of every text the run writes (log, error, console, evidence). */
  scrub: Scrub;
  /** When the script's expected length (if it declares one) runs out, clock ms; set once the run starts. */
  expectedEnd?: number;
  /** What made the run irreversible (a tapped Post), once it did: it keeps the shutdown's grace. */
  irreversible?: string;
  /** A settling check (see Runner.settle): it holds the phone's lease, but its task is not running. */
  settling?: boolean;
  /** The script and its cleanup are over: only its end is being written. */
  finished?: boolean;
  /** Its end is written: its lease is being given back. */
  over?: boolean;
  progress?: ProgressSink;
}

/** A run of `task` about to start, its config parsed once. */
function newRun(task: TaskRow, controller: AbortController, progress?: ProgressSink): Run {
  const config = JSON.parse(task.scriptConfig) as Record<string, unknown>;
  return {
    task,
    controller,
    done: Promise.resolve(),
    unsavedLogs: [],
    logWrites: Promise.resolve(),
    config,
    scrub: scrubber(secretsIn(config)),
    progress,
  };
}

const SUSPECT_MS = 10_000;
/** Longest a settling check (see Runner.settle) may take: the account switch and one look at the profile. */
const SETTLE_TIMEOUT_S = 180;
/** How often a write the disk refused is tried again. */
const STORAGE_RETRY_MS = 2000;
/** A run's log lines kept in memory while the disk refuses them (past that, the oldest but the first give way). */
const MAX_UNSAVED_LOGS = 200;

export class Runner {
  private readonly running = new Map<number, Run>();
  private readonly busy = new Map<string, number>();
  /** Phones whose last task failed as offline: no new task until the fleet reports on them again. */
  private readonly suspect = new Map<string, ReturnType<typeof setTimeout>>();
  private passQueued = false;
  /** The pass under way (passes never overlap: one that is asked for meanwhile runs after it). */
  private passing: Promise<void> | null = null;
  private passAgain = false;
  /** The phones the next pass looks at: some that changed, or all. */
  private dirty: Set<string> | "all" = "all";
  private cancelWake: (() => void) | undefined;
  /** A lease claim was refused since the last end heard from another PC (many PCs): that end may free it. */
  private claimRefused = false;
  private cancelStorageWake: (() => void) | undefined;
  private accepting = true;
  /** Aborted at the end of shutdown's grace period: an end the disk still refuses is given up. */
  private readonly closing = new AbortController();
  private readonly random: () => number;
  /** Whether posts cut off by a restart after Post was tapped may wait for their check (see settle). */
  private unproven = false;
  /** Whether `unproven` must be read again before the next pass uses it. */
  private unprovenStale = true;
  /** Those checked by this process (once each, unless their phone went away meanwhile). */
  private readonly settled = new Set<number>();

  constructor(private readonly o: RunnerOptions) {
    this.random = o.random ?? Math.random;
    // new pending work (created, retried): look for something to start
    o.lifecycle.onChange((_, change) => {
      if (change === "pending") this.wake();
    });
  }

  /** Looks for work soon, on one phone or on all (coalesced: many wakes, one pass). */
  wake(serial?: string): void {
    if (serial === undefined) this.dirty = "all";
    else if (this.dirty !== "all") this.dirty.add(serial);
    if (this.passQueued || !this.accepting) return;
    this.passQueued = true;
    queueMicrotask(() => {
      this.passQueued = false;
      this.runPass();
    });
  }

  /** Runs a pass now, or right after the one under way. */
  private runPass(): void {
    if (this.passing !== null) {
      this.passAgain = true;
      return;
    }
    this.passing = (async () => {
      do {
        this.passAgain = false;
        try {
          await this.pass();
        } catch (e) {
          // a database that failed to answer: look again a little later
          const why = this.o.storage?.failure(e) ?? (e as Error)?.message ?? String(e);
          this.o.log.warn(`looking for tasks to start failed (${why}); trying again`);
          this.lookAgainLater();
        }
      } while (this.passAgain && this.accepting);
    })().finally(() => {
      this.passing = null;
      // asked for between the last check and now
      if (this.passAgain && this.accepting) this.runPass();
    });
  }

  /** The task running on this phone, if any. */
  runningOn(serial: string): number | undefined {
    return this.busy.get(serial);
  }

  /** The task running on each busy phone, by serial. */
  runningTasks(): ReadonlyMap<string, number> {
    return this.busy;
  }

  /** A phone came online or went away. */
  deviceChanged(serial: string, online: boolean): void {
    this.clearSuspect(serial);
    if (online) {
      this.wake(serial);
      return;
    }
    const id = this.busy.get(serial);
    if (id !== undefined) this.running.get(id)?.controller.abort(OFFLINE);
  }

  /**
   * The runs this node has now, to be checked against the leases `held()` reads: a run whose phone's lease
   * this node no longer holds is aborted at once, its task already failed elsewhere. That happens to a node
   * the others took as stopped while it was only paused or cut off from the database: its phones may be
   * running there now. Runs that start while `held()` reads are not judged by it.
   */
  async fence(held: () => Promise<ReadonlyMap<string, string>>): Promise<number[]> {
    const { lease } = this.o;
    if (!lease) return [];
    const before = [...this.running.values()].filter((r) => !r.settling);
    const holders = await held();
    const lost = before.filter((r) => !r.over && holders.get(r.task.serial) !== lease.node);
    for (const run of lost) {
      const why = `interrupted: node ${lease.node} stopped`;
      this.o.log
        .child({ task: run.task.id, phone: run.task.serial })
        .warn(`this node lost its phone's lease (taken as stopped by the farm): ${why}`);
      run.controller.abort({
        reason: "interrupted",
        message: why,
        errorClass: "permanent",
      } satisfies Failure);
    }
    return lost.map((r) => r.task.id);
  }

  /**
   * Another PC ended or deleted a task this node runs (a stop or delete asked there; the farm took this node
   * as stopped): the run is aborted at once and its cleanup runs. Its end is already written: the run's own
   * write finds the task no longer running and changes nothing (nor do its log lines, once it is deleted).
   * Evidence of a deleted task goes, once no run of it here can write more.
   */
  endedElsewhere(id: number, change: TaskChange, error: string | null): void {
    const deleted = change === "deleted";
    // a start refused here since (the farm at the plan's limit, or the phone's lease held there) may go now
    if (change !== "running" && this.claimRefused) {
      this.claimRefused = false;
      this.wake();
    }
    const run = this.running.get(id);
    if (deleted) {
      if (run) run.done.then(() => this.o.evidence?.remove(id));
      else this.o.evidence?.remove(id);
    }
    // a settling check looks at a task that is failed already: only its deletion concerns it
    if (!run || run.finished || run.over || change === "running" || (run.settling && !deleted)) return;
    const stopped = deleted || error === STOPPED.message;
    const failure: Failure = stopped
      ? STOPPED
      : { reason: "interrupted", message: error ?? `${change} on another PC`, errorClass: "permanent" };
    this.o.log
      .child({ task: id, phone: run.task.serial })
      .info(`${deleted ? "deleted" : `ended (${failure.message})`} on another PC: its run here is aborted`);
    run.controller.abort(failure);
  }

  /**
   * The runs whose tasks the database no longer has running (ended or deleted elsewhere, news this node
   * missed while it did not hear the other PCs) are aborted as endedElsewhere would. Checked at each heartbeat.
   */
  async reconcile(): Promise<void> {
    const runs = [...this.running.values()].filter((r) => !r.finished && !r.over && !r.settling);
    const rows = await this.o.tasks.statusesOf(runs.map((r) => r.task.id));
    for (const run of runs) {
      // one that ended by itself while the rows were read wrote its own end
      if (run.finished || run.over) continue;
      const row = rows.get(run.task.id);
      if (!row) this.endedElsewhere(run.task.id, "deleted", null);
      else if (row.status !== TaskStatus.running)
        this.endedElsewhere(run.task.id, STATUS_TEXT[row.status] as TaskChange, row.error);
    }
  }

  /** No new task starts; running ones get `graceMs` to finish, then are aborted as interrupted. */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
    this.cancelWake?.();
    // a pass under way may still start a task: it is one of those that get the grace
    await this.passing;
    for (const serial of [...this.suspect.keys()]) this.clearSuspect(serial);
    const all = () => Promise.all([...this.running.values()].map((r) => r.done));
    // a run that cannot finish within the grace would only hold the exit: interrupt it now
    const graceEnd = this.o.clock.now() + graceMs;
    for (const run of this.running.values()) {
      if (run.irreversible || run.expectedEnd === undefined || run.expectedEnd <= graceEnd) continue;
      const left = Math.round((run.expectedEnd - this.o.clock.now()) / 1000);
      const why = `interrupted at once: about ${left} s left, more than the ${Math.round(graceMs / 1000)} s grace`;
      this.addLog(run, [run.task.id, "warn", why]);
      this.o.log.child({ task: run.task.id, phone: run.task.serial }).info(why);
      run.controller.abort(INTERRUPTED);
    }
    if (this.running.size > 0) {
      this.o.log.info(
        `waiting up to ${Math.round(graceMs / 1000)} s for ${this.running.size} running task(s)`,
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    for (const run of this.running.values()) {
      run.controller.abort(INTERRUPTED);
    }
    this.cancelStorageWake?.();
    this.closing.abort();
    await all();
  }

  private markSuspect(serial: string): void {
    this.clearSuspect(serial);
    // in case the fleet never reports (a false alarm), the phone is trusted again after a while
    this.suspect.set(
      serial,
      setTimeout(() => {
        this.suspect.delete(serial);
        this.wake(serial);
      }, SUSPECT_MS),
    );
  }

  private clearSuspect(serial: string): void {
    clearTimeout(this.suspect.get(serial));
    this.suspect.delete(serial);
  }

  private async pass(): Promise<void> {
    if (!this.accepting) return;
    // a task started now could not record its end: hold new starts until writes succeed again
    if (this.o.storage && !this.o.storage.healthy()) {
      this.lookAgainLater();
      return;
    }
    const now = this.o.clock.now();
    const scope = this.dirty;
    this.dirty = new Set();
    const slots = this.o.deviceLimit() - this.busy.size;
    if (slots > 0) {
      // the head of each idle online phone's queue, earliest first, as many as the plan allows
      const heads: { task: TaskRow; phone: Phone }[] = [];
      for (const serial of scope === "all" ? this.o.phones.onlineSerials() : scope) {
        if (this.busy.has(serial) || this.suspect.has(serial)) continue;
        const phone = this.o.phones.phone(serial);
        // a phone whose connection just dropped may still be listed online for a moment
        if (!phone || phone.goneSignal.aborted) continue;
        // a post cut off by a restart is looked for before anything else runs on its phone
        if (this.unprovenStale) {
          this.unprovenStale = false;
          this.unproven = await this.o.tasks.hasUnprovenPosts();
        }
        const unproven = this.unproven
          ? (await this.o.tasks.unprovenPosts(serial)).find((t) => !this.settled.has(t.id))
          : undefined;
        if (unproven) {
          await this.startSettle(unproven, phone);
          continue;
        }
        const task = await this.o.tasks.headFor(serial, now);
        if (task) heads.push({ task, phone });
      }
      heads.sort((a, b) => (a.task.scheduledAt ?? 0) - (b.task.scheduledAt ?? 0) || a.task.id - b.task.id);
      for (const { task, phone } of heads.slice(0, slots)) {
        if (!this.accepting) break;
        if (!(await this.start(task, phone))) break;
      }
    }
    await this.scheduleNextWake(now);
  }

  /** A pass a little later, once the disk may take writes again. */
  private lookAgainLater(): void {
    this.cancelStorageWake ??= this.o.clock.wakeAt(this.o.clock.now() + STORAGE_RETRY_MS, () => {
      this.cancelStorageWake = undefined;
      this.wake();
    });
  }

  private async scheduleNextWake(now: number): Promise<void> {
    const next = await this.o.tasks.nextDueAfter(now);
    this.cancelWake?.();
    this.cancelWake = undefined;
    if (next !== null && this.accepting) this.cancelWake = this.o.clock.wakeAt(next, () => this.wake());
  }

  /** Starts the task unless it is no longer pending; false when the disk refused the start (try later). */
  private async start(task: TaskRow, phone: Phone): Promise<boolean> {
    const controller = new AbortController();
    let ended = () => {};
    const handle = {
      abort: (failure: Failure) => controller.abort(failure),
      ended: new Promise<void>((resolve) => (ended = resolve)),
    };
    // before the start is told: the event of the start carries the progress
    const progress = this.o.progress?.begin(task.id);
    try {
      const { lease } = this.o;
      const claim = lease && { node: lease.node, serial: task.serial, limit: this.o.deviceLimit() };
      if (!(await this.o.lifecycle.start(task.id, handle, claim))) {
        this.o.progress?.end(task.id);
        if (claim) this.claimRefused = true;
        return true;
      }
    } catch (e) {
      this.o.progress?.end(task.id);
      const why = this.o.storage?.failure(e);
      if (!why) throw e;
      this.o.log.child({ task: task.id }).warn(`not started: ${why}`);
      this.lookAgainLater();
      return false;
    }
    this.busy.set(task.serial, task.id);
    const run = newRun(task, controller, progress);
    this.running.set(task.id, run);
    run.done = this.execute(run, phone)
      .catch((e) =>
        this.o.log.child({ task: task.id }).error(run.scrub(`runner error: ${(e as Error).stack ?? e}`)),
      )
      .finally(async () => {
        run.over = true;
        await this.release(run);
        // at the plan's limit the freed slot may go to any phone; below it, only this phone has news
        const wasFull = this.busy.size >= this.o.deviceLimit();
        this.running.delete(task.id);
        this.busy.delete(task.serial);
        this.o.progress?.end(task.id);
        ended();
        this.wake(wasFull ? undefined : task.serial);
      });
    return true;
  }

  /** The run ended (its end written): its phone's lease goes back, tried again while the disk refuses it. */
  private async release(run: Run): Promise<void> {
    const { lease } = this.o;
    if (!lease) return;
    const { serial } = run.task;
    try {
      await this.saveEnd(run, "ended, its phone's lease", () => lease.store.release(lease.node, serial));
    } catch (e) {
      this.o.log
        .child({ task: run.task.id, phone: serial })
        .error(`its phone's lease was not given back: ${e}`);
    }
  }

  /**
   * A line of the run's log, written after the lines before it; kept in memory while the disk refuses it,
   * so the script carries on.
   */
  private addLog(run: Run, line: LogLine): void {
    run.logWrites = run.logWrites.then(() => this.writeLog(run, line));
  }

  private async writeLog(run: Run, line: LogLine): Promise<void> {
    if (run.unsavedLogs.length === 0) {
      try {
        await this.o.tasks.addLog(...line);
        return;
      } catch (e) {
        if (!this.o.storage?.failure(e)) {
          this.o.log.child({ task: run.task.id }).error(run.scrub(`a log line was not saved: ${e}`));
          return;
        }
      }
    }
    if (run.unsavedLogs.length >= MAX_UNSAVED_LOGS) run.unsavedLogs.splice(1, 1);
    run.unsavedLogs.push(line);
  }

  /**
   * Writes how a run ended (its held log lines, then `write`), trying again while the disk refuses it: the
   * row says running until then, so the phone's slot stays taken and the task cannot start again. Given up
   * only at shutdown; the next start then marks it interrupted.
   */
  private async saveEnd(run: Run, outcome: string, write: () => Promise<unknown>): Promise<void> {
    const log = this.o.log.child({ task: run.task.id });
    await run.logWrites;
    for (let tries = 0; ; tries++) {
      try {
        while (run.unsavedLogs.length > 0) {
          await this.o.tasks.addLog(...(run.unsavedLogs[0] as LogLine));
          run.unsavedLogs.shift();
        }
        await write();
        if (tries > 0) log.info(`${outcome}, saved now that the disk takes writes again`);
        return;
      } catch (e) {
        const why = this.o.storage?.failure(e);
        if (!why) throw e;
        if (tries === 0) log.warn(`${outcome}, but not saved yet (${why}); trying again`);
      }
      if (this.closing.signal.aborted) {
        log.error(`${outcome}, never saved: the next start will mark it interrupted`);
        return;
      }
      await new Promise<void>((resolve) => {
        const again = () => {
          cancel();
          this.closing.signal.removeEventListener("abort", again);
          resolve();
        };
        const cancel = this.o.clock.wakeAt(this.o.clock.now() + STORAGE_RETRY_MS, again);
        this.closing.signal.addEventListener("abort", again, { once: true });
      });
    }
  }

  /** A script context for `run` on `phone`, as every run (and every settling check) gets one. */
  private contextOf(
    run: Run,
    phone: Phone,
    log: (level: LogLevel, message: string, durationMs?: number) => void,
    hooks: Pick<ScriptRun, "irreversible" | "recordPost" | "progress">,
  ) {
    const { task, config, controller } = run;
    const signal = controller.signal;
    return createScriptContext({
      services: this.o.scripts.services,
      task: {
        id: task.id,
        retryCount: task.retryCount,
        serial: task.serial,
        username: task.username,
        platform: task.platform,
        config,
      },
      phone,
      signal,
      clock: this.o.clock,
      log,
      describe: (e) => describe(e, signal),
      ...hooks,
    });
  }

  /** The record with its proof's screenshot kept as evidence (and said so when it could not be). */
  private keptProof(id: number, record: PostRecord, screenshot?: Uint8Array): PostRecord {
    if (!record.proof) return record;
    let kept = false;
    if (screenshot && this.o.evidence) {
      this.o.evidence.keepProof(id, screenshot);
      kept = true;
    }
    return { ...record, proof: { ...record.proof, screenshot: kept } };
  }

  /**
   * Holds `task`'s phone while `settle` checks on it, as a run would: its lease too, unless another node
   * holds it (then the check waits for a later pass).
   */
  private async startSettle(task: TaskRow, phone: Phone): Promise<void> {
    const { lease } = this.o;
    if (lease && !(await lease.store.hold(lease.node, task.serial, task.id, this.o.clock.now()))) return;
    this.settled.add(task.id);
    const run = newRun(task, new AbortController());
    run.settling = true;
    const { scrub } = run;
    this.busy.set(task.serial, task.id);
    this.running.set(task.id, run);
    run.done = this.settle(run, phone)
      .catch((e) =>
        this.o.log.child({ task: task.id }).error(scrub(`runner error: ${(e as Error).stack ?? e}`)),
      )
      .finally(async () => {
        run.over = true;
        await this.release(run);
        this.running.delete(task.id);
        this.busy.delete(task.serial);
        this.unprovenStale = true;
        this.wake(task.serial);
      });
  }

  /**
   * A post cut off by a restart after Post was tapped (failed "interrupted", its record `tapped`), once its
   * phone is back: its script looks for it on the account (its own account, once an upload under way has
   * ended); the task becomes
   * completed "posted, verified after restart", or stays failed "not found on the profile". A check that
   * could not be made is made again when the phone comes back, if it went away, else left to a person.
   */
  private async settle(run: Run, phone: Phone): Promise<void> {
    const { task, controller, scrub } = run;
    const script = this.o.scripts.get(task.scriptName);
    const tapped = task.result;
    if (!script?.settle || !tapped) return;
    const log = (level: LogLevel, message: string, durationMs?: number) =>
      this.addLog(run, [task.id, level, scrub(message), durationMs, this.o.clock.now()]);
    const service = this.o.log.child({ task: task.id, phone: task.serial });
    const timer = setTimeout(() => controller.abort(timedOut(SETTLE_TIMEOUT_S)), SETTLE_TIMEOUT_S * 1000);
    const onGone = () => controller.abort(OFFLINE);
    phone.goneSignal.addEventListener("abort", onGone, { once: true });
    if (phone.goneSignal.aborted) onGone();
    const { ctx, cleanup } = this.contextOf(run, phone, log, {
      irreversible: async () => {},
      recordPost: async () => {},
    });
    log("info", "after the restart: looking on the account for the post cut off after Post was tapped");
    try {
      const settled = await raceAbort(script.settle(ctx, tapped), controller.signal);
      const record = this.keptProof(task.id, settled.record, settled.screenshot);
      const found = record.outcome === "verified_after_restart";
      log(found ? "info" : "warn", record.message);
      await run.logWrites;
      await this.o.lifecycle.settleUnproven(task.id, record);
      service[found ? "info" : "warn"](scrub(record.message));
    } catch (e) {
      const failure = classify(e, controller.signal);
      if (failure.reason === "offline") this.settled.delete(task.id);
      log("warn", `could not look for the post: ${failure.message}`);
      service.warn(scrub(`could not look for the post cut off by the restart: ${failure.message}`));
    } finally {
      clearTimeout(timer);
      phone.goneSignal.removeEventListener("abort", onGone);
      await cleanup();
    }
  }

  /** The service log's line for a run's end: what ran, as whom, how it ended, how long it took, why. */
  private logEnd(run: Run, account: string | null, startedAt: number, failure: Failure | null): void {
    const { task, scrub } = run;
    const seconds = ((this.o.clock.now() - startedAt) / 1000).toFixed(1);
    const outcome = failure ? `failed reason=${failure.reason} class=${failure.errorClass}` : "completed";
    const why = failure ? ` message=${JSON.stringify(failure.message)}` : "";
    const line = `ended script=${task.scriptName} account=${account ?? "-"} outcome=${outcome} duration_s=${seconds}${why}`;
    const level = failure && failure.reason !== "stopped" ? "warn" : "info";
    this.o.log.child({ task: task.id, phone: task.serial })[level](scrub(line));
  }

  private async execute(run: Run, phone: Phone): Promise<void> {
    const { task, controller, config, scrub } = run;
    const { lifecycle } = this.o;
    const log = (level: LogLevel, message: string, durationMs?: number) =>
      this.addLog(run, [task.id, level, scrub(message), durationMs, this.o.clock.now()]);
    const script = this.o.scripts.get(task.scriptName);
    const refused = !script
      ? `script "${task.scriptName}" is no longer known to this service`
      : hasSealed(config)
        ? `a secret in the task's script_config cannot be decrypted with ${SECRET_KEY_FILE}: restore the key file that was kept with farm.db, or create the task again`
        : null;
    if (refused !== null || !script) {
      const failure: Failure = { reason: "error", message: refused ?? "", errorClass: "permanent" };
      log("error", failure.message);
      this.logEnd(run, task.username, this.o.clock.now(), failure);
      run.finished = true;
      await this.saveEnd(run, "failed", () => lifecycle.failRun(task.id, failure));
      return;
    }
    const limitS = this.o.timeouts?.[script.name] ?? script.maxDurationS(config);
    const timer = setTimeout(() => controller.abort(timedOut(limitS)), limitS * 1000);
    const onGone = () => controller.abort(OFFLINE);
    phone.goneSignal.addEventListener("abort", onGone, { once: true });
    if (phone.goneSignal.aborted) onGone();

    const signal = controller.signal;
    const { ctx, cleanup } = this.contextOf(run, phone, log, {
      irreversible: async (what) => {
        run.irreversible = what;
        await lifecycle.markIrreversible(task.id, what);
      },
      progress: run.progress,
      recordPost: async (record, screenshot) => {
        await lifecycle.recordPost(task.id, this.keptProof(task.id, record, screenshot));
      },
    });

    log("info", `started on ${task.serial}${task.retryCount ? ` (retry ${task.retryCount})` : ""}`);
    const startedAt = this.o.clock.now();
    const expectedS = script.expectedDurationS?.(config);
    if (Number.isFinite(expectedS)) run.expectedEnd = startedAt + (expectedS as number) * 1000;
    this.o.log
      .child({ task: task.id, phone: task.serial })
      .info(
        scrub(`started script=${task.scriptName} account=${task.username ?? "-"} retry=${task.retryCount}`),
      );
    let failure: Failure | null = null;
    try {
      const withAccount = async () => {
        if (script.usesAccount !== false) {
          const { username, accountId } = await useTaskAccount(ctx);
          if (!task.username) {
            ctx.task.username = `@${username}`;
            await lifecycle.nameAccount(task.id, ctx.task.username, accountId);
          }
        }
        await script.run(ctx);
      };
      await raceAbort(withAccount(), signal);
    } catch (e) {
      failure = classify(e, signal);
      // an unexplained error from a phone that has just gone away is the phone going away
      if (failure.errorClass === "permanent" && !(e instanceof ScriptError) && !signal.aborted) {
        if (phone.goneSignal.aborted || !(await phone.ping(2000))) failure = OFFLINE;
      }
      // running it again could do twice what must happen once (a second post)
      if (run.irreversible && failure.errorClass === "retryable" && !(e instanceof ScriptError)) {
        failure = {
          ...failure,
          message: `${failure.message} after ${run.irreversible}; not retried automatically`,
          errorClass: "permanent",
        };
      }
    } finally {
      clearTimeout(timer);
      phone.goneSignal.removeEventListener("abort", onGone);
    }

    // evidence first (the screen as the failure left it), then cleanup, on a phone that is still there
    if (failure && failure.reason !== "stopped" && !phone.goneSignal.aborted) {
      await this.o.evidence?.capture(task.id, phone, scrub).catch((e) => log("warn", `no evidence: ${e}`));
    }
    await cleanup();
    run.finished = true;

    this.logEnd(run, ctx.task.username, startedAt, failure);
    if (!failure) {
      log("info", "completed");
      await this.saveEnd(run, "completed", () => lifecycle.complete(task.id));
      return;
    }
    if (failure.reason === "offline") this.markSuspect(task.serial);
    log("error", `failed (${failure.errorClass}): ${failure.message}`);
    const { maxRetries, delayMs } = this.o.retry;
    let retryAt: number | null = null;
    if (failure.errorClass === "retryable" && task.retryCount < maxRetries && this.accepting) {
      const delay = delayMs[0] + Math.floor(this.random() * (delayMs[1] - delayMs[0] + 1));
      retryAt = this.o.clock.now() + delay;
      const retrying = `retrying automatically in ${Math.round(delay / 1000)} s (retry ${task.retryCount + 1} of ${maxRetries})`;
      log("info", retrying);
      this.o.log.child({ task: task.id, phone: task.serial }).info(retrying);
    }
    const ended = { ...failure, message: scrub(failure.message) };
    // false: the task had already ended elsewhere (a stop on another PC), and is not this run's to retry
    let failed = false;
    await this.saveEnd(run, `failed (${ended.message})`, async () => {
      // tried again after a refused retry: the failure is already saved (fail says false), the retry not
      failed ||= await lifecycle.failRun(task.id, ended);
      if (failed && retryAt !== null) await lifecycle.retryAt(task.id, retryAt);
    });
  }
}

/** Resolves or rejects with `work`, but rejects at once when `signal` fires (scripts that ignore it still stop). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function isFailure(x: unknown): x is Failure {
  return typeof x === "object" && x !== null && "reason" in x && "message" in x && "errorClass" in x;
}

/**
 * How a run ended: the abort reason when it was aborted (stop, timeout, phone gone, shutdown); a script's own
 * ScriptError; a phone that went away or timed out (retryable); anything else is permanent, because running
 * an unknown failure again risks doing twice what half-succeeded.
 */
function classify(e: unknown, signal: AbortSignal): Failure {
  if (signal.aborted && isFailure(signal.reason)) return signal.reason;
  if (e instanceof ScriptError) return { reason: e.reason, message: e.message, errorClass: e.errorClass };
  if (e instanceof PhoneError) {
    if (e.code === "offline") return OFFLINE;
    if (e.code === "timeout") return { reason: "timeout", message: e.message, errorClass: "retryable" };
  }
  return { reason: "error", message: (e as Error)?.message ?? String(e), errorClass: "permanent" };
}

function describe(e: unknown, signal: AbortSignal): string {
  return classify(e, signal).message;
}
