// What a script gets to work with on one phone, and how it says why it failed.
import type { Phone } from "../devices/index.ts";
import type { ErrorClass, LogLevel, Platform } from "../domain.ts";
import type { SeenAccounts, SeenSummary } from "../store/accounts.ts";

/** A failure a script understands: `retryable` ones may be tried again automatically, `permanent` never. */
export class ScriptError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
  ) {
    super(message);
  }

  static permanent(message: string): ScriptError {
    return new ScriptError(message, "permanent");
  }

  static retryable(message: string): ScriptError {
    return new ScriptError(message, "retryable");
  }
}

/** Where flows record the accounts the apps showed (the accounts table). */
export interface AccountBook {
  recordSeen(seen: SeenAccounts): SeenSummary;
  /** The app's switcher on `serial` does not list `username`: logged out there (the row is kept). */
  markLoggedOut(serial: string, platform: Platform, username: string): void;
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

export interface ScriptContext<Config = Record<string, unknown>> {
  task: ScriptTask<Config>;
  phone: Phone;
  /** Fires when the task is stopped, times out, its phone goes away or the service shuts down. */
  signal: AbortSignal;
  /** Runs one step, written to the task's log with how long it took. */
  step<T>(name: string, work: () => Promise<T>): Promise<T>;
  log(message: string, level?: LogLevel): void;
  /** Runs after the script ends, however it ends, newest first (force-stop the app, remove pushed media). */
  onCleanup(cleanup: (signal: AbortSignal) => Promise<void>): void;
  /** Waits, unless the task is aborted first. */
  sleep(ms: number): Promise<void>;
  /** The service's data folder (selector overrides live under it). */
  dataDir: string;
  accounts: AccountBook;
  /**
   * From now on the run has done something that must not happen twice (Post was tapped): a failure the
   * script did not class itself (the phone went away, a timeout) is permanent, never retried automatically.
   */
  irreversible(what: string): void;
}

/** Waits `ms`, unless `signal` aborts first (then rejects with its reason). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
