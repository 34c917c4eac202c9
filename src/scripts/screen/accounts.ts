/**
 * Accounts on a phone, read and switched through the app's own screens: the own profile shows the account
 * in use (TikTok's `@handle`, Instagram's action-bar title); its name opens the switcher sheet, one row per
 * signed-in account (content-desc = username). Every answer comes from the screen, never from memory.
 *
 * `useTaskAccount` is the one place a task's account is made sure of, before any script acts in an app
 * (the runner calls it): a task for an account (username and multi-account modes) switches to it through
 * the app's switcher and verifies it on screen; a task for a phone (device mode) reads which account is in
 * use, so that every task names the account it ran as. What the phone showed is recorded in the accounts
 * table. `match_accounts` reads the same screens.
 */
import type { UiNode } from "../../devices/index.ts";
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import type { AppSession } from "./app.ts";
import { type Screen, ScreenNeverCame, TapHadNoEffect, WAIT_TIMEOUT_MS } from "./index.ts";
import { missedPlace, PLACE_EFFECT_MS, placeInFront, placeOf, rememberPlace } from "./places.ts";

export interface SwitcherRow {
  username: string;
  active: boolean;
  node: UiNode;
}

const bare = (name: string) => name.trim().replace(/^@/, "");
const same = (a: string, b: string) => bare(a).toLowerCase() === bare(b).toLowerCase();

/**
 * The Profile tab's place (places.ts): after a cold start the tab is tapped there, without a dump of the home
 * feed. The dump after it judges it (the own profile's handle); a dump without the handle is the path without a
 * place (the tab found on that dump, tapped; were the first tap only slow, the second meets the same tab on the
 * profile: harmless).
 */
const PROFILE_TAB = "home.profileTab";

/**
 * After a cold start: the Profile tab tapped where it lies (`placeOf`) once its activity is in front
 * (light reads: the splash is not tapped), and the own profile looked for for PLACE_EFFECT_MS: its handle
 * (null: signed out), or undefined with `missed`, the screen dumped after the tap that showed neither (none:
 * there was no place, its activity never came, or every dump was refused).
 */
async function tapProfileByPlace(
  ctx: ScriptContext,
  s: AppSession,
  profile: (screen: Screen) => UiNode | null | undefined,
): Promise<{ seen: UiNode | null | undefined; missed?: Screen }> {
  const place = await placeOf(s, PROFILE_TAB);
  if (!place || !(await placeInFront(s, place))) return { seen: undefined };
  const tapped = s.ui.last;
  await s.ui.tap({ bounds: place.bounds }, "the Profile tab (where this phone shows it)");
  // the own profile is a tab: the tab bar shows on it (another user's profile, opened by a tap that met an
  // avatar, is a page of its own without one, and the same ids for its name and handle)
  const tab = s.sel("home", "profileTab");
  const seen = await s.ui
    .waitUntil("the own profile", (screen) => (screen.has(tab) ? profile(screen) : undefined), {
      timeoutMs: PLACE_EFFECT_MS,
    })
    .catch((e: unknown) => {
      if (e instanceof ScreenNeverCame) return undefined;
      throw e;
    });
  if (seen !== undefined) return { seen };
  await missedPlace(s, PROFILE_TAB);
  ctx.log("the tap where the Profile tab lies did not show the profile: the tab is looked for on the screen");
  return { seen, missed: s.ui.last === tapped ? undefined : s.ui.last };
}

/**
 * The account in use, from the own profile (null: the app is signed out). `restart` first brings the app
 * up from cold, so that the Profile tab is on screen whatever the app was doing; the tab is then tapped where
 * it lies, when that is known, without a dump of the home feed first (a playing video: slow, often refused).
 */
export async function readAccountInUse(
  ctx: ScriptContext,
  s: AppSession,
  { restart }: { restart: boolean },
): Promise<string | null> {
  const { phone, signal } = ctx;
  if (restart) {
    await phone.forceStop(s.pkg, { signal });
    await phone.startApp(s.pkg, undefined, { signal });
  }
  // the app in front before its screen is read: until the launch takes effect the dump is another app's
  // (Instagram's sign-in "Log in" reads as TikTok's signed-out screen)
  await s.ui.waitForApp(s.pkg, s.label);
  const signedOut = s.sel("account", "signedOut");
  const handle = s.app === "tiktok" ? s.sel("account", "handle") : s.sel("account", "username");
  const profile = (screen: Screen) => screen.find(handle) ?? (screen.has(signedOut) ? null : undefined);
  const read = (node: UiNode | null) => (node ? bare(node.text) || null : null);
  const byPlace = restart ? await tapProfileByPlace(ctx, s, profile) : { seen: undefined };
  if (byPlace.seen !== undefined) return read(byPlace.seen);
  // no place, or it missed: the tab on the screen (a tap aimed by the place that was only slow meets the same
  // tab on the profile when this one lands: harmless)
  const tab = s.sel("home", "profileTab");
  const { key, node } = await s.ui.waitFor("the Profile tab", { tab, signedOut }, { first: byPlace.missed });
  if (key === "signedOut") return null;
  const seen = await s.ui.tapUntil(node, "Profile", {
    check: profile,
    unchanged: "the own profile did not open",
    retry: tab,
    timeoutMs: WAIT_TIMEOUT_MS,
  });
  // where the tab lies on this phone, and on which activity (a light read): the next cold start taps it there
  if (seen) await rememberPlace(s, PROFILE_TAB, node.bounds);
  return read(seen);
}

/** Opens the switcher from the own profile (on screen): its rows, the account in use marked. */
export async function readSwitcher(s: AppSession): Promise<SwitcherRow[]> {
  const opener = s.app === "tiktok" ? s.sel("account", "name") : s.sel("account", "openSwitcher");
  const { node } = await s.ui.waitFor("the account name", { opener });
  const screen = await s.ui.tapUntil(node, "the account name", {
    check: (sc) => (sc.shows(s.page("switcher")) ? sc : undefined),
    unchanged: "the account switcher did not open",
    retry: opener,
  });
  return switcherRows(screen, s);
}

/** The account rows of a switcher sheet on `screen` (none when it is not there). */
export function switcherRows(screen: Screen, s: Pick<AppSession, "app" | "sel">): SwitcherRow[] {
  const sheet = screen.find(s.sel("account", "switcher"));
  if (!sheet) return [];
  const addAccount = screen.find(s.sel("account", "addAccount"));
  // Instagram's rows have no ids: only clickable ViewGroups with a description inside the sheet count
  const inside = (n: UiNode) =>
    s.app === "tiktok" || (n.bounds.y1 >= sheet.bounds.y1 && n.bounds.y2 <= sheet.bounds.y2);
  return screen
    .findAll(s.sel("account", "row"))
    .filter((n) => n.contentDesc && n !== addAccount && inside(n))
    .map((node) => ({
      // "user_1, New notifications" → "user_1"
      username: bare(node.contentDesc.split(",")[0] ?? ""),
      active: node.selected,
      node,
    }));
}

/** Closes the switcher sheet (BACK), leaving the own profile on screen. */
export async function closeSwitcher(ctx: ScriptContext): Promise<void> {
  await ctx.phone.keyEvent(4, { signal: ctx.signal });
}

export interface SwitchOutcome {
  /** The account in use before, when it was another. */
  from: string | null;
  /** Every account the switcher listed (when it was opened). */
  listed: string[] | null;
}

/**
 * Puts `username` in use: read the account in use; if it is another, pick `username` in the switcher and
 * verify on the profile. Not in the switcher → permanent (it is not signed in there); the profile still
 * showing another account after the tap → retryable.
 */
export async function switchTo(ctx: ScriptContext, s: AppSession, username: string): Promise<SwitchOutcome> {
  const serial = ctx.phone.serial;
  const inUse = await readAccountInUse(ctx, s, { restart: true });
  if (inUse === null) {
    throw new NotSignedIn(`@${bare(username)} is not logged in: ${s.label} on ${serial} is signed out`, []);
  }
  if (same(inUse, username)) return { from: null, listed: null };
  const rows = await readSwitcher(s);
  const row = rows.find((r) => same(r.username, username));
  const listed = rows.map((r) => r.username);
  if (!row) {
    throw new NotSignedIn(
      `@${bare(username)} is not logged in on ${s.label} on ${serial} (signed in: ${listed.map((u) => `@${u}`).join(", ") || "none"})`,
      listed,
    );
  }
  // the profile read next must be the one after the switch: the switcher is gone first; when it stays,
  // the app is started again to read who is in use now
  const left = await s.ui.tapToLeave(row.node, `account @${row.username}`, s.page("switcher")).then(
    () => true,
    (e: unknown) => {
      if (e instanceof TapHadNoEffect) return false;
      throw e;
    },
  );
  // TikTok lands on Home (maybe behind "Save login?"), Instagram on the profile: look again from the tab
  const now = await readAccountInUse(ctx, s, { restart: !left });
  if (!now || !same(now, username)) {
    throw ScriptError.retryable(
      `wrong account active: switching to @${bare(username)} on ${s.label} left ${now ? `@${now}` : "no account"} in use`,
    );
  }
  return { from: inUse, listed };
}

/** The account is not in the app's switcher: signed out on that phone (permanent). */
export class NotSignedIn extends ScriptError {
  constructor(
    message: string,
    readonly listed: string[],
  ) {
    super(message, "permanent");
  }
}

export interface AccountInUse {
  username: string;
  accountId: number;
}

export async function useTaskAccount(ctx: ScriptContext): Promise<AccountInUse> {
  const { serial } = ctx.phone;
  const { platform } = ctx.task;
  const session = await ctx.openApp();
  const record = async (username: string): Promise<AccountInUse> => {
    const seen = await ctx.accounts.recordSeen({
      serial,
      platform,
      packagename: session.pkg,
      usernames: [username],
      complete: false,
      inUse: username,
    });
    return { username, accountId: seen.ids[username] as number };
  };

  const wanted = ctx.task.username?.replace(/^@/, "");
  if (wanted) {
    try {
      const { from } = await ctx.step(`switch to @${wanted}`, () => switchTo(ctx, session, wanted));
      ctx.log(from ? `switched from @${from} to @${wanted}` : `@${wanted} already in use`);
    } catch (e) {
      if (e instanceof NotSignedIn) await ctx.accounts.markLoggedOut(serial, platform, wanted);
      throw e;
    }
    return record(wanted);
  }
  const inUse = await ctx.step("read the account in use", () =>
    readAccountInUse(ctx, session, { restart: true }),
  );
  if (!inUse) {
    throw ScriptError.permanent(
      `no ${session.label} account is logged in on ${serial}: log one in on the phone, then run match_accounts`,
    );
  }
  ctx.log(`@${inUse} in use`);
  return record(inUse);
}
