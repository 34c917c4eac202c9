/**
 * Following or unfollowing one user on one phone: reach the user's profile (its link, or the app's search),
 * read the profile's main button, tap it only when the state must change, and check from the screen that
 * it changed. Already in the wanted state is a success with a remark; a user the app cannot find is a
 * permanent failure naming the user. A follow is not irreversible: tapping again later changes nothing.
 */
import type { UiNode } from "../../devices/index.ts";
import type { Platform } from "../../domain.ts";
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import { type AppSession, runFlow } from "../screen/app.ts";
import { matches, type Screen, ScreenNeverCame, type Selector, WAIT_INTERVAL_MS } from "../screen/index.ts";
import { checkCanType, typeInto } from "../screen/typing.ts";

export type FollowAction = "follow" | "unfollow";
export type AccessMethod = "direct" | "search";

export interface FollowInput {
  action: FollowAction;
  /** The user's name without "@". */
  user: string;
  access: AccessMethod;
}

export interface FollowResult {
  package: string;
  version: string;
  /** What the flow did: changed the state, or found it already as wanted. */
  outcome: "followed" | "unfollowed" | "already following" | "not following";
  dumps: number;
  taps: { what: string; x: number; y: number }[];
}

const SCREEN_TIMEOUT_MS = 15_000;
const ENTER = 66;

const PROFILE_URL: Record<Platform, (user: string) => string> = {
  tiktok: (u) => `https://www.tiktok.com/@${u}`,
  instagram: (u) => `https://www.instagram.com/${u}/`,
};

export async function followFlow(ctx: ScriptContext, input: FollowInput): Promise<FollowResult> {
  return runFlow(ctx, () => walk(ctx, input));
}

/** `selector` narrowed to nodes whose text is exactly `user`, with or without "@" (any case). */
function naming(selector: Selector, user: string): Selector {
  const name = user.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return selector.map((m) => ({ ...m, textRegex: `^@?${name}$` }));
}

async function walk(ctx: ScriptContext, input: FollowInput): Promise<FollowResult> {
  const { phone, signal } = ctx;
  const { user, action } = input;
  const at = `@${user}`;
  const session = await ctx.openApp();
  const { app, pkg, version, ui, sel, label } = session;
  const opts = { signal };

  try {
    if (input.access === "direct") {
      await ctx.step(`open the profile link of ${at}`, async () => {
        // from a known state: whatever the app showed before is gone
        await phone.forceStop(pkg, opts);
        await phone.openUrl(PROFILE_URL[app](user), pkg, opts);
        await ui.waitForApp(pkg, label);
      });
    } else {
      await checkCanType(ctx, [user], "the user name");
      await ctx.step("open the app", async () => {
        await phone.forceStop(pkg, opts);
        await phone.startApp(pkg, undefined, opts);
        await ui.waitForApp(pkg, label);
      });
      await ctx.step(`search for ${at}`, () => searchUser(ctx, session, user));
    }
    const button = await ctx.step(`wait for the profile of ${at}`, async () => {
      const { key, node, screen } = await ui.waitFor(`the profile of ${at}`, {
        notFound: sel("user", "notFound"),
        profile: naming(sel("user", "handle"), user),
      });
      if (key === "notFound") {
        throw ScriptError.permanent(`${label} has no user ${at}: it shows "${node.text}"`);
      }
      return mainButton(screen, session) ?? (await waitForButton(session, `the follow button of ${at}`));
    });
    const following = isFollowing(button, session);
    if (action === "follow" && following) {
      ctx.log(`already following ${at} (the button reads "${button.text}")`);
      return done("already following");
    }
    if (action === "unfollow" && !following) {
      ctx.log(`not following ${at} (the button reads "${button.text}")`);
      return done("not following");
    }
    if (action === "follow") {
      await ctx.step(`follow ${at}`, async () => {
        // a lost tap is tapped once more: a second tap on Follow changes nothing more
        await ui.tapUntil(button, "Follow", {
          check: (screen) => (followingOn(screen, session) === true ? true : undefined),
          unchanged: `${at}'s button still reads "${button.text}"`,
          retry: sel("user", "follow"),
        });
        const now = await waitForButton(session, `${at}'s button to read Following`, true);
        ctx.log(`followed ${at} (the button reads "${now.text}")`);
      });
      return done("followed");
    }
    await ctx.step(`unfollow ${at}`, async () => {
      const confirm = sel("user", "unfollowConfirm");
      const node = await ui.tapUntil(button, "Following", {
        check: (screen) => screen.find(confirm),
        unchanged: "no Unfollow confirmation came",
        retry: sel("user", "following"),
      });
      await ui.tapUntil(node, "Unfollow", {
        check: (screen) => (screen.has(confirm) ? undefined : true),
        unchanged: "the Unfollow confirmation is still shown",
      });
      const now = await waitForButton(session, `${at}'s button to read Follow`, false);
      ctx.log(`unfollowed ${at} (the button reads "${now.text}")`);
    });
    return done("unfollowed");
  } finally {
    ctx.log(`${ui.dumps} UI dumps, ${ui.taps.length} taps`);
  }

  function done(outcome: FollowResult["outcome"]): FollowResult {
    return { package: pkg, version, outcome, dumps: ui.dumps, taps: ui.taps };
  }
}

/** Search in the app, then tap the result whose handle is the user's (not merely the first row). */
async function searchUser(ctx: ScriptContext, session: AppSession, user: string): Promise<void> {
  const { app, ui, sel, label, page } = session;
  const at = `@${user}`;
  const search = page("search");
  await ui.leaveBy(page("home"), "the search button", sel("home", "search"), { to: [search] });
  await typeInto(ctx, session, search, sel("userSearch", "box"), user, "the user name");
  // TikTok lists results after ENTER (then Users holds the accounts); Instagram lists accounts as one
  // types, and ENTER would open its keyword results instead
  const none = () => ScriptError.permanent(`${label}'s search finds no user ${at}`);
  if (app === "tiktok") {
    await ctx.phone.keyEvent(ENTER, { signal: ctx.signal });
    const { key, node } = await ui.waitFor("the search results", {
      none: sel("userSearch", "noResults"),
      tab: sel("userSearch", "usersTab"),
    });
    if (key === "none") throw none();
    if (!node.selected) {
      const tab = sel("userSearch", "usersTab");
      await ui.tapUntil(node, "Users", {
        check: (screen) => (screen.find(tab)?.selected ? true : undefined),
        unchanged: "the Users tab is not chosen",
        retry: tab,
      });
    }
  }
  const wanted = naming(sel("userSearch", "handle"), user);
  const { key } = await ui.waitFor(`${at} in the search results`, {
    row: wanted,
    none: sel("userSearch", "noResults"),
    other: sel("userSearch", "handle"),
  });
  if (key === "none") throw none();
  // results that do not name the user may still be filling in: one more look before giving up
  if (key === "other") await ctx.sleep(1000);
  const row = (key === "other" ? await ui.dump() : ui.last)?.find(wanted);
  if (!row) throw none();
  await ui.tapToLeave(row, `search result ${at}`, search, { retry: wanted });
}

/** The profile's own follow button, in any state: the first on screen (suggested accounts come below it). */
function mainButton(screen: Screen, { sel }: AppSession): UiNode | undefined {
  const any = [...sel("user", "follow"), ...sel("user", "following")];
  return screen.nodes.find((n) => any.some((m) => matches(n, m)));
}

/** Whether the profile's button on `screen` reads following (undefined: no button there). */
function followingOn(screen: Screen, session: AppSession): boolean | undefined {
  const node = mainButton(screen, session);
  return node && isFollowing(node, session);
}

function isFollowing(node: UiNode, { sel }: AppSession): boolean {
  return sel("user", "following").some((m) => matches(node, m));
}

/** Dumps until the profile's button shows (and, when `following` is given, reads that state). */
async function waitForButton(session: AppSession, what: string, following?: boolean): Promise<UiNode> {
  const { ui, sel } = session;
  const deadline = ui.clock.now() + SCREEN_TIMEOUT_MS;
  for (;;) {
    const { screen } = await ui
      .waitFor(
        what,
        { button: [...sel("user", "follow"), ...sel("user", "following")] },
        { timeoutMs: Math.max(1, deadline - ui.clock.now()) },
      )
      .catch((e: unknown) => {
        throw e instanceof ScreenNeverCame ? new ScreenNeverCame(what, SCREEN_TIMEOUT_MS) : e;
      });
    const node = mainButton(screen, session);
    if (node && (following === undefined || isFollowing(node, session) === following)) return node;
    await ui.pause(WAIT_INTERVAL_MS, deadline, what, SCREEN_TIMEOUT_MS);
  }
}
