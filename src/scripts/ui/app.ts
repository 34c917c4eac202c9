/**
 * One app on one phone, ready to drive: which of its packages is installed and at which version, its
 * selectors for that version (overrides from the data folder included) and a `Ui` that dismisses its
 * known popups. Every flow (post, follow, comment, warmup, accounts) starts here.
 */
import { type ScriptContext, ScriptError } from "../context.ts";
import { type AppName, type AppSelectors, forVersion, loadSelectors } from "../selectors/index.ts";
import { ScreenNeverCame, type Selector, Ui } from "./index.ts";

export const APP_LABEL: Record<AppName, string> = { tiktok: "TikTok", instagram: "Instagram" };

export interface AppSession {
  app: AppName;
  label: string;
  pkg: string;
  version: string;
  selectors: AppSelectors;
  ui: Ui;
  /** The selector `screen.name` for this package and version; a missing one is a bug in the data file. */
  sel(screen: string, name: string): Selector;
}

/** What "check the app" found, per task run: the account step and the script then ask the phone once. */
const probed = new WeakMap<ScriptContext, Map<string, { pkg: string; version: string }>>();

/**
 * The step "check the app" (once per task run and app): the first of the app's packages installed on the phone (a permanent failure
 * when none is), its versionName, the selectors and the Ui. `dataDir` defaults to the service's.
 */
export async function openAppSession(
  ctx: ScriptContext,
  app: AppName = ctx.task.platform,
  dataDir: string | undefined = ctx.dataDir,
  /** This one of the app's packages (TikTok has two), instead of the first installed. */
  only?: string,
): Promise<AppSession> {
  const { phone, signal } = ctx;
  const selectors = loadSelectors(app, dataDir);
  const label = APP_LABEL[app];
  const key = `${app}:${only ?? ""}`;
  const known = probed.get(ctx)?.get(key);
  const { pkg, version } =
    known ??
    (await ctx.step("check the app", async () => {
      const installed = new Set(await phone.listPackages({ signal }));
      const pkg = selectors.packages.find((p) => installed.has(p) && (only === undefined || p === only));
      if (!pkg) {
        throw ScriptError.permanent(
          `${label} is not installed on ${phone.serial} (${selectors.packages.join(" or ")})`,
        );
      }
      const dump = await phone.shell(`dumpsys package ${pkg} | grep versionName`, { signal });
      const version = /versionName=(\S+)/.exec(dump.stdout)?.[1] ?? "";
      ctx.log(`${pkg} ${version || "(version unknown)"}`);
      return { pkg, version };
    }));
  if (!known) probed.set(ctx, (probed.get(ctx) ?? new Map()).set(key, { pkg, version }));
  const popups = selectors.popups.map((p) => ({ name: p.name, tap: forVersion(p.tap, pkg, version) }));
  const ui = new Ui(phone, signal, { popups, log: (m) => ctx.log(m) });
  const sel = (screen: string, name: string): Selector => {
    const alternatives = selectors.screens[screen]?.[name];
    if (!alternatives) throw new Error(`no selector ${app}.${screen}.${name}`);
    return forVersion(alternatives, pkg, version);
  };
  return { app, label, pkg, version, selectors, ui, sel };
}

/**
 * Runs a flow so that its end says what happened: when the task was stopped, the stop's reason (the verb
 * that was cut short only knows that it was aborted); a screen that never came and that the flow did not
 * judge itself, retryable (nothing irreversible happened, or the flow would have said so).
 */
export async function runFlow<T>(ctx: ScriptContext, walk: () => Promise<T>): Promise<T> {
  try {
    return await walk();
  } catch (e) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? e;
    if (e instanceof ScreenNeverCame) throw ScriptError.retryable(`screen never came: ${e.message}`);
    throw e;
  }
}
