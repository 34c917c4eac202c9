// What a script gets to work with on one phone: its task, the phone, the run's own tools (steps, log,
// cleanups, the app sessions) and the services the service lends every script (materials, rotation,
// data folder, accounts) and the runner's clock. Nothing a script uses comes from a process global.
import type { Phone } from "../devices/index.ts";
import type { LogLevel, Platform, PostRecord } from "../domain.ts";
import type { Materials, Rotation } from "../materials/index.ts";
import type { SeenAccounts, SeenSummary } from "../store/accounts.ts";
import { abortableSleep, type Clock } from "../tasks/clock.ts";
import type { ProgressSink } from "../tasks/progress.ts";
import { appSessions, type OpenApp } from "./screen/app.ts";

/** Where flows record the accounts the apps showed (the accounts table). */
export interface AccountBook {
  recordSeen(seen: SeenAccounts): Promise<SeenSummary>;
  /** The app's switcher on `serial` does not list `username`: logged out there (the row is kept). */
  markLoggedOut(serial: string, platform: Platform, username: string): Promise<void>;
}

/** The material library as scripts see it: a post's files and caption, what was posted, what is there. */
export type MaterialLibrary = Pick<
  Materials,
  | "forTask"
  | "markPosted"
  | "markPossiblyPosted"
  | "confirmPosted"
  | "dropPossiblyPosted"
  | "check"
  | "checkUnposted"
>;

/** What the service lends its scripts, the same for every run; a script's checks at creation get it too. */
export interface ScriptServices {
  materials: MaterialLibrary;
  /** Where `sequential` sets (captions, comment templates) continue across tasks and restarts. */
  rotation: Rotation;
  /** The service's data folder (selector overrides, files named by a relative path). */
  dataDir: string;
  accounts: AccountBook;
}

export interface ScriptTask<Config = Record<string, unknown>> {
  id: number;
  /** How many times this task was retried before this run. */
  retryCount: number;
  serial: string;
  username: string | null;
  platform: Platform;
  config: Config;
}

export interface ScriptContext<Config = Record<string, unknown>> extends ScriptServices {
  task: ScriptTask<Config>;
  phone: Phone;
  /** Fires when the task is stopped, times out, its phone goes away or the service shuts down. */
  signal: AbortSignal;
  /** Runs one step, written to the task's log with how long it took. */
  step<T>(name: string, work: () => Promise<T>): Promise<T>;
  log(message: string, level?: LogLevel): void;
  /** Runs after the script ends, however it ends, newest first (force-stop the app, remove pushed media). */
  onCleanup(cleanup: (signal: AbortSignal) => Promise<void>): void;
  /** The runner's clock. */
  clock: Clock;
  /** Waits, unless the task is aborted first. */
  sleep(ms: number): Promise<void>;
  /** An app on this phone, ready to drive (the task's app by default); checked once per run. */
  openApp: OpenApp;
  /**
   * From now on the run has done something that must not happen twice (Post was tapped): a failure the
   * script did not class itself (the phone went away, a timeout) is permanent, never retried automatically.
   * Settles once that is on disk: await it before the step that must not happen twice.
   */
  irreversible(what: string): Promise<void>;
  /**
   * How far the run has got, shown on the task while it runs: `fraction` 0..1 when there is an estimate
   * (else null), `detail` in words ("upload 45%"). Cheap: call it as often as there is news.
   */
  progress(fraction: number | null, detail?: string): void;
  /**
   * Records where the task's post stands in its result (on disk at once: a restart still knows what to look
   * for); `screenshot`, the screen that proved it, is kept as the task's proof. Settles once on disk.
   */
  recordPost(record: PostRecord, screenshot?: Uint8Array): Promise<void>;
}

/** How long each cleanup may take (a real timer: it races the phone's answers). */
export const CLEANUP_TIMEOUT_MS = 15_000;

/** What one run is made of: the rest of its context follows from these. */
export interface ScriptRun<Config = Record<string, unknown>> {
  services: ScriptServices;
  task: ScriptTask<Config>;
  phone: Phone;
  signal: AbortSignal;
  clock: Clock;
  /** Where the run's log lines go; a step's line carries how long it took. */
  log(level: LogLevel, message: string, durationMs?: number): void;
  /** A failed step's error in words (default: its message). */
  describe?(error: unknown): string;
  irreversible(what: string): Promise<void>;
  recordPost(record: PostRecord, screenshot?: Uint8Array): Promise<void>;
  /** Default CLEANUP_TIMEOUT_MS. */
  cleanupTimeoutMs?: number;
  /** Where the steps entered and the script's estimates go (the runner's progress board); default nowhere. */
  progress?: ProgressSink;
}

export interface ScriptRunContext<Config = Record<string, unknown>> {
  ctx: ScriptContext<Config>;
  /**
   * Runs the cleanups newest first, each with its own timeout, while the phone is there; a failed one is
   * logged as a warning and the next still runs.
   */
  cleanup(): Promise<void>;
}

/** The context of one run, as the runner and the flow tests make it (one home: they cannot drift). */
export function createScriptContext<Config>(run: ScriptRun<Config>): ScriptRunContext<Config> {
  const { clock, signal, phone, log } = run;
  const describe = run.describe ?? ((e: unknown) => (e as Error)?.message ?? String(e));
  const cleanups: ((signal: AbortSignal) => Promise<void>)[] = [];
  const ctx: ScriptContext<Config> = {
    ...run.services,
    task: run.task,
    phone,
    signal,
    clock,
    log: (message, level = "info") => log(level, message),
    // a step's duration is the work's real time (the phone's answers), whatever the clock says
    step: async (name, work) => {
      const t0 = performance.now();
      const took = () => Math.round(performance.now() - t0);
      run.progress?.enterStep(name);
      try {
        const result = await work();
        log("info", name, took());
        return result;
      } catch (e) {
        log("error", `${name}: ${describe(e)}`, took());
        throw e;
      } finally {
        run.progress?.leaveStep();
      }
    },
    onCleanup: (cleanup) => {
      cleanups.push(cleanup);
    },
    sleep: (ms) => abortableSleep(ms, signal, clock),
    openApp: (app, only) => openApp(app, only),
    irreversible: (what) => run.irreversible(what),
    progress: (fraction, detail) => run.progress?.report(fraction, detail ?? null),
    recordPost: (record, screenshot) => run.recordPost(record, screenshot),
  };
  // the app sessions of this run: each app is checked on the phone once
  const openApp = appSessions(ctx);
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      if (phone.goneSignal.aborted) break;
      try {
        await c(AbortSignal.timeout(run.cleanupTimeoutMs ?? CLEANUP_TIMEOUT_MS));
      } catch (e) {
        log("warn", `cleanup: ${(e as Error).message}`);
      }
    }
  };
  return { ctx, cleanup };
}
