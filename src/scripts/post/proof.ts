/**
 * Proof of a post: a post is done when it is seen on its account, not when a text says so. The account's own
 * profile is opened and its newest item (pinned ones skipped) opened: its caption must be ours. A story: the
 * own "Your story" in the home tray holds a story, and opens on the account's own story. The same check
 * settles, once its phone is back, a post cut off by a restart after Post was tapped.
 *
 * How much of a caption must match: whitespace is normalised (runs of spaces and line breaks are one space)
 * and the rest compared exactly. An app cuts long captions ("… more"): a shown caption that ends in an
 * ellipsis or "more" proves ours when what is left of it is the start of ours and at least
 * MIN_SHOWN_CAPTION characters long (or all of ours). A post without a caption is proven only by a newest
 * item without one: weak, and said so in the proof. A story cannot be told from another story of the same
 * account posted in the last 24 hours: its proof says that too.
 */
import type { PostProof, PostRecord } from "../../domain.ts";
import type { ScriptContext } from "../context.ts";
import { readAccountInUse } from "../screen/accounts.ts";
import type { AppSession } from "../screen/app.ts";
import { POPUP_LOOK_MS, type Screen, ScreenNeverCame, type WaitOptions } from "../screen/index.ts";
import { percentOn } from "./upload-progress.ts";

/** What is looked for: the caption as typed (TikTok: the description, with its title), or the story. */
export type PostClaim = Pick<PostRecord, "caption" | "title" | "story">;

/** The shortest cut caption that proves ours (all of ours when it is shorter). */
export const MIN_SHOWN_CAPTION = 40;
/** Between two looks at the profile while the post is not there yet. */
export const PROOF_INTERVAL_MS = 10_000;

/** A proof and the screen that showed it. */
export interface SeenPost {
  proof: PostProof;
  screenshot: Uint8Array;
}

/** What one look found: the proof, or what was seen instead (for the "unconfirmed" message). */
interface Look {
  seen: boolean;
  what: string;
}

export const normalise = (text: string): string => text.replace(/\s+/g, " ").trim();

/** A shown caption that the app cut, without its marker ("…", "...", "… more", "more"); null when it is whole. */
function cutPart(shown: string): string | null {
  const m = /^(.*?)\s*(?:…|\.\.\.)\s*(?:more)?$|^(.*?)\s+more$/i.exec(shown);
  if (!m) return null;
  return (m[1] ?? m[3] ?? "").trim();
}

/** Whether `shown` (the app's caption, maybe led by the username) is the caption of `claim`. */
export function captionMatches(shown: string, claim: PostClaim, username?: string | null): boolean {
  const ours = [claim.caption, `${claim.title} ${claim.caption}`, `${claim.title}\n${claim.caption}`].map(
    normalise,
  );
  const seen = [normalise(shown)];
  // Instagram's post view leads the caption with the author's name
  const name = username?.replace(/^@/, "");
  if (name && seen[0]?.toLowerCase().startsWith(`${name.toLowerCase()} `)) {
    seen.push(seen[0].slice(name.length + 1));
  }
  return seen.some((s) => {
    if (ours.includes(s)) return true;
    const cut = cutPart(s);
    if (cut === null || cut === "") return false;
    return ours.some((o) => o.startsWith(cut) && cut.length >= Math.min(MIN_SHOWN_CAPTION, o.length));
  });
}

/**
 * The pauses between looks at the upload: every second for the first five (a short upload's result, shown
 * for 2–3 s), then every 2 s (a dump costs 1–3 s on a real phone, an upload takes minutes); sooner when the
 * percentage shown says the end is near (the next look then ends just after it); after a look without the
 * progress, POPUP_LOOK_MS.
 */
const UPLOAD_POLL_MS = [...Array<number>(5).fill(1000), 2000];
/**
 * How long before the upload's expected end the next look begins: a dump on a real phone takes 0.8–2.5 s and
 * shows the screen as it is at its end, so one begun this long before the end ends after it.
 */
export const LOOK_LEAD_MS = 800;

/**
 * The upload's expected rest (ms) from the percentages seen: the rate between the first and the last look
 * that showed one, or with one look, the rate since the upload began (`since`).
 */
export function uploadRest(seen: { at: number; percent: number }[], since: number): number | undefined {
  const last = seen[seen.length - 1];
  if (!last || last.percent <= 0 || last.percent >= 100) return undefined;
  const first = seen.length > 1 && (seen[0] as { at: number; percent: number });
  const rate =
    first && last.percent > first.percent
      ? (last.percent - first.percent) / (last.at - first.at)
      : last.percent / Math.max(1, last.at - since);
  return (100 - last.percent) / rate;
}

/**
 * Until the app says the upload failed or is done, or its progress is gone: a look shows neither the progress
 * nor the post screen after one that showed the progress, or (the progress never seen) two looks in a row
 * show neither (a success text may be a toast, never in a dump; an app not in front shows neither); "timeout"
 * when the progress is still shown after `timeoutMs`. `since`: when the upload began (Post's tap reached the
 * app); default now.
 */
export async function uploadEnded(
  { ui, sel }: Pick<AppSession, "ui" | "sel">,
  timeoutMs: number,
  options: Pick<WaitOptions, "first" | "onScreen"> & { since?: number } = {},
): Promise<{ key: "failed" | "done"; text: string } | { key: "gone" | "timeout" }> {
  let quiet = 0;
  // the progress was seen: the first look without it is the upload's end
  let underWay = false;
  const progress = sel("upload", "progress");
  const busy = [...progress, ...sel("proof", "composer")];
  const since = options.since ?? ui.clock.now();
  // the percentages seen (when the app shows one), and when
  const seen: { at: number; percent: number }[] = [];
  const pauseAfter = (n: number) => {
    // a look without the progress (never seen) is looked at again soon: the upload may be over
    if (quiet > 0) return POPUP_LOOK_MS;
    const poll = UPLOAD_POLL_MS[Math.min(n, 5)] as number;
    // the upload nearly done by its percentage: the next look begins so as to end just after its end
    const rest = uploadRest(seen, since);
    return rest === undefined ? poll : Math.min(poll, Math.max(POPUP_LOOK_MS, rest - LOOK_LEAD_MS));
  };
  try {
    return await ui.waitUntil(
      "the upload's end",
      (screen) => {
        const failed = screen.find(sel("upload", "failed"));
        if (failed) return { key: "failed" as const, text: failed.text || failed.contentDesc };
        const done = screen.find(sel("upload", "done"));
        if (done) return { key: "done" as const, text: done.text || done.contentDesc };
        underWay ||= screen.has(progress);
        const percent = percentOn(screen, progress);
        if (percent !== undefined) seen.push({ at: ui.clock.now(), percent });
        quiet = screen.has(busy) ? 0 : quiet + 1;
        return quiet >= (underWay ? 1 : 2) ? { key: "gone" as const } : undefined;
      },
      { timeoutMs, intervalMs: pauseAfter, first: options.first, onScreen: options.onScreen },
    );
  } catch (e) {
    if (e instanceof ScreenNeverCame) return { key: "timeout" };
    throw e;
  }
}

/**
 * Looks for the post until it is seen or `timeoutMs` (the run's clock) has passed, every PROOF_INTERVAL_MS;
 * null when it was never seen. Each look goes to the profile from where the app is, never by a cold start
 * (that would kill an upload still under way). Every look and its finding is in the task's log.
 */
export async function provePost(
  ctx: ScriptContext,
  s: AppSession,
  claim: PostClaim,
  timeoutMs: number,
): Promise<{ post: SeenPost | null; lastSeen: string }> {
  const deadline = ctx.clock.now() + timeoutMs;
  for (let n = 1; ; n++) {
    const look = await lookOnce(ctx, s, claim);
    ctx.log(`look ${n} at ${s.label}: ${look.what}`);
    if (look.seen) {
      const screenshot = await ctx.phone.screenshot({ signal: ctx.signal });
      const check = claim.story ? "story" : "caption";
      const proof: PostProof = { check, at: ctx.clock.now(), seen: look.what, screenshot: true };
      return { post: { proof, screenshot }, lastSeen: look.what };
    }
    if (ctx.clock.now() + PROOF_INTERVAL_MS > deadline) return { post: null, lastSeen: look.what };
    await ctx.sleep(PROOF_INTERVAL_MS);
    // leave the item or story opened by this look
    await ctx.phone.keyEvent(4, { signal: ctx.signal });
  }
}

async function lookOnce(ctx: ScriptContext, s: AppSession, claim: PostClaim): Promise<Look> {
  try {
    return claim.story ? await lookForStory(ctx, s) : await lookForCaption(ctx, s, claim);
  } catch (e) {
    if (e instanceof ScreenNeverCame) return { seen: false, what: e.message };
    throw e;
  }
}

/** The account the task posted as, when it is known; null: whichever is in use. */
const accountOf = (ctx: ScriptContext) => ctx.task.username?.replace(/^@/, "") || null;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

async function lookForCaption(ctx: ScriptContext, s: AppSession, claim: PostClaim): Promise<Look> {
  const { ui, sel } = s;
  const inUse = await readAccountInUse(ctx, s, { restart: false });
  const account = accountOf(ctx);
  if (!inUse) return { seen: false, what: "the app is signed out" };
  if (account && !same(inUse, account)) return { seen: false, what: `the profile is @${inUse}'s` };
  // the grid's items, or its area (tabs, "No videos yet") without any
  const { key, screen } = await ui.waitFor("the profile's posts", {
    item: sel("proof", "item"),
    area: sel("proof", "postsArea"),
  });
  const newest = key === "item" ? newestItem(screen, s) : undefined;
  if (!newest) return { seen: false, what: `@${inUse}'s profile shows no post` };
  await ui.tap(newest, "the newest post");
  // the item's own page: the profile's grid gone, its media (and caption, when it has one) shown
  const page = await ui.waitUntil("the newest post's page", (now) =>
    now.has(sel("proof", "page")) && !now.has(sel("proof", "item")) ? now : undefined,
  );
  const shown = page.find(sel("proof", "caption"))?.text ?? "";
  if (!claim.caption && !claim.title) {
    return shown
      ? { seen: false, what: `the newest post has a caption ("${shown}"), ours has none` }
      : { seen: true, what: `the newest post on @${inUse}'s profile has no caption, as ours (a weak proof)` };
  }
  return captionMatches(shown, claim, inUse)
    ? { seen: true, what: `the newest post on @${inUse}'s profile has our caption: "${shown}"` }
    : { seen: false, what: `the newest post on @${inUse}'s profile reads "${shown}", not ours` };
}

/** The first grid item in reading order that is not pinned (a pinned post stays first however old). */
function newestItem(screen: Screen, s: AppSession) {
  const pinned = screen.findAll(s.sel("proof", "pinned"));
  const inside = (n: { bounds: { x1: number; y1: number; x2: number; y2: number } }, cell: typeof n) =>
    n.bounds.x1 >= cell.bounds.x1 &&
    n.bounds.x2 <= cell.bounds.x2 &&
    n.bounds.y1 >= cell.bounds.y1 &&
    n.bounds.y2 <= cell.bounds.y2;
  return screen
    .findAll(s.sel("proof", "item"))
    .filter((cell) => !pinned.some((p) => p === cell || inside(p, cell)))
    .sort((a, b) => a.bounds.y1 - b.bounds.y1 || a.bounds.x1 - b.bounds.x1)[0];
}

async function lookForStory(ctx: ScriptContext, s: AppSession): Promise<Look> {
  const { ui, sel } = s;
  await ui.waitAndTap("the Home tab", sel("home", "feed"));
  const { node, screen } = await ui.waitFor("the own story in the home tray", {
    own: sel("proof", "ownStory"),
  });
  const empty = screen
    .findAll(sel("proof", "storyEmpty"))
    .some((b) => b.bounds.x1 >= node.bounds.x1 && b.bounds.x2 <= node.bounds.x2);
  if (empty) return { seen: false, what: "the home tray's own story is empty (Add to story)" };
  await ui.tap(node, "Your story");
  const viewer = await ui.waitFor("the story viewer", { owner: sel("proof", "storyOwner") });
  const owner = viewer.node.text.replace(/^@/, "");
  const account = accountOf(ctx);
  if (account && !same(owner, account)) return { seen: false, what: `the story shown is @${owner}'s` };
  return {
    seen: true,
    what: `@${owner}'s own story is shown (a story of the last 24 hours: it cannot be told from an earlier one)`,
  };
}
