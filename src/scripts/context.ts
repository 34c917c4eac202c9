// What a script gets to work with on one phone: its task, the phone, the run's own tools (steps, log,
// cleanups, the app sessions) and the services the service lends every script (materials, rotation,
// data folder, accounts) and the runner's clock. Nothing a script uses comes from a process global.
import type { Phone } from "../devices/index.ts";
import type { LogLevel, Platform } from "../domain.ts";
import type { Materials, Rotation } from "../materials/index.ts";
import type { SeenAccounts, SeenSummary } from "../store/accounts.ts";
import type { Clock } from "../tasks/clock.ts";
import type { OpenApp } from "./screen/app.ts";

/** Where flows record the accounts the apps showed (the accounts table). */
export interface AccountBook {
  recordSeen(seen: SeenAccounts): SeenSummary;
  /** The app's switcher on `serial` does not list `username`: logged out there (the row is kept). */
  markLoggedOut(serial: string, platform: Platform, username: string): void;
}

/** The material library as scripts see it: a post's files and caption, what was posted, what is there. */
export type MaterialLibrary = Pick<Materials, "forTask" | "markPosted" | "check" | "checkUnposted">;

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
   */
  irreversible(what: string): void;
}
