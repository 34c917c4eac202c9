/**
 * One app on one phone, ready to drive: which of its packages is installed and at which version, its
 * selectors for that version (overrides from the data folder included) and a `Ui` that dismisses its
 * known popups. Every flow (post, follow, comment, warmup, accounts) starts here, through `ctx.openApp`.
 */
import type { Phone } from "../../devices/index.ts";
import type { Platform } from "../../domain.ts";
import type { Clock } from "../../tasks/clock.ts";
import { ScriptError } from "../errors.ts";
import { type AppSelectors, loadSelectors, pageFor, popupsFor, selectorFor } from "../selectors/index.ts";
import { type Page, ScreenNeverCame, type Selector, Ui } from "./index.ts";

export const APP_LABEL: Record<Platform, string> = { tiktok: "TikTok", instagram: "Instagram" };

export interface AppSession {
  app: Platform;
  label: string;
  pkg: string;
  version: string;
  selectors: AppSelectors;
  ui: Ui;
  /** The selector `screen.name` for this package and version; a missing one is a bug in the data file. */
  sel(screen: string, name: string): Selector;
  /** The page `name` by its anchors (the file's `pages`); a missing one is a bug in the data file. */
  page(name: string): Page;
}

/** `app` (default the task's) on the run's phone; `only`: this one of the app's packages (TikTok has two). */
export type OpenApp = (app?: Platform, only?: string) => Promise<AppSession>;

/** What opening an app asks of the run it belongs to. */
export interface AppRun {
  task: { platform: Platform };
  phone: Phone;
  signal: AbortSignal;
  clock: Clock;
  /** Where `selectors/<app>.json` overrides live. */
  dataDir: string;
  step<T>(name: string, work: () => Promise<T>): Promise<T>;
  log(message: string): void;
}

/**
 * A run's `openApp`. The step "check the app" (once per run and app: the account step and the script then
 * ask the phone once) finds the first of the app's packages installed (a permanent failure when none is)
 * and its versionName; every session gets the selectors for that version and a Ui of its own.
 */
export function appSessions(run: AppRun): OpenApp {
  const probed = new Map<string, { pkg: string; version: string }>();
  return async (app = run.task.platform, only) => {
    const { phone, signal } = run;
    const selectors = loadSelectors(app, run.dataDir);
    const label = APP_LABEL[app];
    const key = `${app}:${only ?? ""}`;
    const known = probed.get(key);
    const { pkg, version } =
      known ??
      (await run.step("check the app", async () => {
        const installed = new Set(await phone.listPackages({ signal }));
        const pkg = selectors.packages.find((p) => installed.has(p) && (only === undefined || p === only));
        if (!pkg) {
          throw ScriptError.permanent(
            `${label} is not installed on ${phone.serial} (${selectors.packages.join(" or ")})`,
          );
        }
        const dump = await phone.shell(`dumpsys package ${pkg} | grep versionName`, { signal });
        const version = /versionName=(\S+)/.exec(dump.stdout)?.[1] ?? "";
        run.log(`${pkg} ${version || "(version unknown)"}`);
        return { pkg, version };
      }));
    probed.set(key, { pkg, version });
    const popups = popupsFor(selectors, pkg, version);
    const ui = new Ui(phone, signal, { popups, log: (m) => run.log(m), clock: run.clock });
    const sel = (screen: string, name: string): Selector =>
      selectorFor(selectors, screen, name, pkg, version);
    const page = (name: string): Page => pageFor(selectors, name, pkg, version);
    return { app, label, pkg, version, selectors, ui, sel, page };
  };
}

/**
 * Runs a flow so that its end says what happened: when the task was stopped, the stop's reason (the verb
 * that was cut short only knows that it was aborted); a screen that never came and that the flow did not
 * judge itself, retryable (nothing irreversible happened, or the flow would have said so).
 */
export async function runFlow<T>(run: { signal: AbortSignal }, walk: () => Promise<T>): Promise<T> {
  try {
    return await walk();
  } catch (e) {
    if (run.signal.aborted) throw run.signal.reason ?? e;
    if (e instanceof ScreenNeverCame) throw ScriptError.retryable(`screen never came: ${e.message}`);
    throw e;
  }
}
