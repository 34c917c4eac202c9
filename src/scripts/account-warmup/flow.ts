/**
 * Warming an account up on one phone: open the app, search one of the topics (its videos) or stay on the
 * For You feed (Instagram: the Reels tab), then until the time budget is used up watch each video a random
 * while and, each by its chance, like it, follow its author, save it and comment on it, then swipe on. One
 * dump per video where possible: everything tapped on a video is read from the dump taken when it came.
 */

import type { UiNode } from "../../devices/index.ts";
import { captionLines } from "../../materials/captions.ts";
import type { ScriptContext } from "../context.ts";
import { type AppSession, runFlow } from "../screen/app.ts";
import {
  type Screen,
  ScreenNeverCame,
  type Selector,
  TAP_SETTLE_MS,
  TapHadNoEffect,
  WAIT_TIMEOUT_MS,
} from "../screen/index.ts";
import { checkCanType, EMOJI, typeInto, typesPlainly, withEmoji } from "../screen/typing.ts";
import { ChatError, generateComment } from "./chatgpt.ts";
import type { WarmupConfig } from "./config.ts";

/** What one run did. */
export interface WarmupSummary {
  /** The topic searched, or null for the For You feed / Reels. */
  topic: string | null;
  videos: number;
  likes: number;
  follows: number;
  saves: number;
  comments: number;
  /** Comments written by the model (the rest came from the templates). */
  generated: number;
  dumps: number;
}

export interface WarmupOptions {
  /** 0 ≤ random() < 1: chances, watch times, topic and template picks. */
  random?: () => number;
  /** How long a video may take to show before the screen is swiped on (default 10 s). */
  videoWaitMs?: number;
}

/** The chance to follow: `floow_probable` (the real name) or its synonym `follow_probable`, the larger. */
export const followChance = (c: Pick<WarmupConfig, "floow_probable" | "follow_probable">): number =>
  Math.max(c.floow_probable, c.follow_probable);

/** How many times in a row a screen without a video is swiped on before the run gives up. */
const MAX_MISSES = 3;
const KEYCODE_BACK = 4;
const KEYCODE_ENTER = 66;
/** TikTok cuts comments at 150 characters; Instagram allows more, but a warm-up comment is short anyway. */
const MAX_COMMENT = 150;

/** Selector screens of each app: the video viewer and the topic search; pages: a video and its comments. */
const SCREENS = {
  tiktok: {
    viewer: "feed",
    comment: "comments",
    search: "searchVideos",
    video: "feed",
    comments: "comments",
  },
  instagram: {
    viewer: "reels",
    comment: "comment",
    search: "searchReels",
    video: "reels",
    comments: "reelComments",
  },
} as const;

export async function warmupFlow(
  ctx: ScriptContext,
  config: WarmupConfig,
  options: WarmupOptions = {},
): Promise<WarmupSummary> {
  return runFlow(ctx, () => watch(ctx, config, options));
}

async function watch(ctx: ScriptContext, c: WarmupConfig, options: WarmupOptions): Promise<WarmupSummary> {
  const random = options.random ?? Math.random;
  const { phone, signal } = ctx;
  const opts = { signal };
  // the budget counts from the start: opening the app and searching are part of the warm-up
  const deadline = ctx.clock.now() + c.task_duration * 1000;
  const left = () => deadline - ctx.clock.now();
  const chance = (percent: number) => percent > 0 && random() * 100 < percent;

  const topics = captionLines(c.topic);
  const topic = topics.length ? (topics[Math.floor(random() * topics.length)] as string) : null;
  const templates = captionLines(c.comment);
  const session = await ctx.openApp();
  const { pkg, ui, sel, app } = session;
  const names = SCREENS[app];
  const v = (name: string) => sel(names.viewer, name);
  /** The video last watched: the next must be another. */
  let watched: string | undefined;

  await checkCanType(
    ctx,
    [topic ?? "", ...(c.comment_probable > 0 ? templates : []), c.insert_emoji ? (EMOJI[0] as string) : ""],
    "the topic or a comment",
  );

  const summary: WarmupSummary = {
    topic,
    videos: 0,
    likes: 0,
    follows: 0,
    saves: 0,
    comments: 0,
    generated: 0,
    dumps: 0,
  };

  try {
    await ctx.step("open the app", async () => {
      await phone.forceStop(pkg, opts);
      await phone.startApp(pkg, undefined, opts);
    });
    if (topic) await searchTopic(session, topic);
    else if (app === "instagram") {
      await ctx.step("open Reels", () =>
        ui.leaveBy(session.page("home"), "the Reels tab", sel("reels", "tab"), {
          to: [session.page("reels")],
        }),
      );
    }

    while (left() > 0) {
      const n = summary.videos + 1;
      ctx.progress(1 - left() / (c.task_duration * 1000), `${summary.videos} video(s) watched`);
      const more = await ctx.step(`video ${n}`, () => oneVideo(session));
      if (!more) break;
    }
  } finally {
    summary.dumps = ui.dumps;
    ctx.log(
      `watched ${summary.videos} video(s)${topic ? ` about "${topic}"` : ""}: ${summary.likes} like(s), ` +
        `${summary.follows} follow(s), ${summary.saves} save(s), ${summary.comments} comment(s)` +
        `${c.generate_by_chatgpt ? ` (${summary.generated} written by ${c.chatgpt_settings.model})` : ""}; ` +
        `${ui.dumps} UI dumps, ${ui.taps.length} taps`,
    );
  }
  return summary;

  // ---- steps -------------------------------------------------------------------------------------

  async function searchTopic(s: AppSession, query: string): Promise<void> {
    const search = (name: string) => s.sel(names.search, name);
    await ctx.step(`search "${query}"`, async () => {
      const page = s.page("search");
      const button = app === "tiktok" ? s.sel("home", "search") : search("tab");
      await s.ui.leaveBy(s.page("home"), "the search button", button, { to: [page] });
      await typeInto(ctx, s, page, search("box"), query, "the topic");
      await phone.keyEvent(KEYCODE_ENTER, opts);
      if (app === "tiktok") {
        const tab = search("videosTab");
        const { node } = await s.ui.waitFor("the Videos tab", { tab });
        if (!node.selected) {
          await s.ui.tapUntil(node, "Videos", {
            check: (screen) => (screen.find(tab)?.selected ? true : undefined),
            unchanged: "the Videos tab is not chosen",
            retry: tab,
          });
        }
      }
      const result = search("result");
      const { node } = await s.ui.waitFor(`a video about "${query}"`, { result });
      await s.ui.tapUntil(node, `a video about "${query}"`, {
        check: (screen) => (screen.shows(s.page(names.video)) ? true : undefined),
        unchanged: "no video opened",
        retry: result,
      });
    });
  }

  /**
   * The dump of the video on screen. A comment sheet left open (BACK only hid the keyboard) is closed; a
   * screen without a video (an ad, a LIVE preview) is swiped past, a few times at most.
   */
  async function videoOnScreen(s: AppSession): Promise<Screen> {
    for (let misses = 0; ; ) {
      try {
        // after a swipe the old video stays on screen a moment: only another one counts
        const { key, screen } = await s.ui.waitUntil(
          "a video",
          (screen) =>
            screen.has(v("commentsOpen"))
              ? { key: "sheet", screen }
              : screen.has(v("video")) && videoKey(screen) !== watched
                ? { key: "video", screen }
                : undefined,
          // the first video follows the app's start (and its popups): it gets a screen's time
          {
            timeoutMs: summary.videos === 0 ? WAIT_TIMEOUT_MS : (options.videoWaitMs ?? 10_000),
            delayMs: summary.videos === 0 ? 0 : TAP_SETTLE_MS,
          },
        );
        if (key === "video") {
          watched = videoKey(screen);
          return screen;
        }
        await phone.keyEvent(KEYCODE_BACK, opts);
        await s.ui.waitUntil("the comment sheet to close", (screen) =>
          screen.has(v("commentsOpen")) ? undefined : true,
        );
      } catch (e) {
        const last = s.ui.last;
        if (!(e instanceof ScreenNeverCame) || !last || ++misses >= MAX_MISSES) throw e;
        // the video watched still there: the swipe was lost, swiped again; else whatever comes next is new
        if (!last.has(v("video"))) {
          watched = undefined;
          ctx.log("no video on screen (an ad or a LIVE preview?): swiping on");
        }
        await swipeOn(last);
      }
    }
  }

  /** Watches the video on screen and acts on it; false when the time is up (nothing more to do). */
  async function oneVideo(s: AppSession): Promise<boolean> {
    const screen = await videoOnScreen(s);
    summary.videos++;
    const caption = captionOf(screen);
    const author = textOf(screen.find(v("author"))).replace(/^@/, "");
    const watchMs = (c.min_duration + random() * (c.max_duration - c.min_duration)) * 1000;
    ctx.log(`watching ${author ? `@${author}` : "a video"}${caption ? `: "${caption}"` : ""}`);
    await ctx.sleep(Math.max(0, Math.min(watchMs, left())));
    if (left() <= 0) return false;

    if (chance(c.like_probable)) {
      const like = screen.find(v("like"));
      if (like && !screen.has(v("liked"))) {
        if (await tried(s, like, "Like", (sc) => sc.has(v("liked")), v("like"))) summary.likes++;
      }
    }
    if (chance(followChance(c))) {
      const follow = screen.find(v("follow"));
      if (follow) {
        const gone = (sc: Screen) => !sc.nodes.some((n) => sameNode(n, follow));
        if (await tried(s, follow, `Follow ${author}`, gone, v("follow"))) summary.follows++;
      }
    }
    if (chance(c.collect_probable)) await save(s, screen);
    if (chance(c.comment_probable)) await comment(s, screen, caption);
    await swipeOn(screen);
    return left() > 0;
  }

  /** TikTok: Favorites on the rail (read from the video's dump); Instagram: "More" → Save. */
  async function save(s: AppSession, screen: Screen): Promise<void> {
    if (app === "tiktok") {
      const favorite = screen.find(v("favorite"));
      if (!favorite || screen.has(v("favorited"))) return;
      if (!(await tried(s, favorite, "Favorites", (sc) => sc.has(v("favorited")), v("favorite")))) return;
    } else {
      const more = screen.find(v("more"));
      if (!more) return;
      const row = [...v("save"), ...v("unsave")];
      await s.ui.tapUntil(more, "More", { check: (sc) => sc.find(row), unchanged: "no Save row came" });
      const { key, node } = await s.ui.waitFor("the Save row", { save: v("save"), saved: v("unsave") });
      if (key === "saved") {
        // saved before: leave it saved, close the sheet
        await phone.keyEvent(KEYCODE_BACK, opts);
        await s.ui.waitUntil("the sheet to close", (sc) => (sc.has(row) ? undefined : true));
        return;
      }
      await s.ui.tapUntil(node, "Save", {
        check: (sc) => (sc.has(row) ? undefined : true),
        unchanged: "the Save sheet is still open",
      });
    }
    summary.saves++;
  }

  /**
   * A button on the video tapped until its effect shows (once more when the first tap was lost); whether it
   * did. No effect is no failure of the run: the action is not counted.
   */
  async function tried(
    s: AppSession,
    node: UiNode,
    what: string,
    done: (sc: Screen) => boolean,
    retry: Selector,
  ): Promise<boolean> {
    try {
      await s.ui.tapUntil(node, what, {
        check: (sc) => (done(sc) ? true : undefined),
        unchanged: "nothing changed",
        retry,
      });
      return true;
    } catch (e) {
      if (!(e instanceof TapHadNoEffect)) throw e;
      ctx.log(`${e.message}: not counted`);
      return false;
    }
  }

  /** What tells one video from the next: its author and caption (not its counts: a like changes them). */
  function videoKey(screen: Screen): string {
    return `${textOf(screen.find(v("author")))}|${captionOf(screen)}`;
  }

  async function comment(s: AppSession, screen: Screen, caption: string): Promise<void> {
    const open = screen.find(v(names.comment));
    if (!open) return;
    // asked for only once the video can take a comment (a model's answer costs money)
    const text = await commentText(caption);
    if (!text) return;
    const sheet = s.page(names.comments);
    const opened = await s.ui.tapUntil(open, "comments", {
      check: (sc) => (sc.shows(sheet) ? sc : undefined),
      unchanged: "the comments did not open",
      retry: v(names.comment),
    });
    const typed = await typeInto(ctx, s, sheet, v("commentInput"), text, "the comment", { first: opened });
    const send = typed.find(v("commentSend"));
    if (!send) throw new ScreenNeverCame("the comment's send button", 0);
    // sent: the field no longer holds the text
    await s.ui.tapUntil(send, "the comment's send button", {
      check: (sc) => (sc.find(v("commentInput"))?.text === text ? undefined : true),
      unchanged: "the comment is still in its field",
    });
    summary.comments++;
    ctx.log(`commented: "${text}"`);
    // back to the video (TikTok: the sheet closes; Instagram: the comments page)
    await phone.keyEvent(KEYCODE_BACK, opts);
    await s.ui.waitUntil("the video again", (sc) => (sc.shows(sheet) ? undefined : true));
  }

  /** The comment to post: the model's (when asked for and it answers), else a template; null for none. */
  async function commentText(caption: string): Promise<string | null> {
    let text: string | null = null;
    if (c.generate_by_chatgpt) {
      try {
        const reply = (await generateComment(c.chatgpt_settings, caption, signal)).replace(/\s+/g, " ");
        text = [...reply].slice(0, MAX_COMMENT).join("");
        if (!typesPlainly(text) && !(await phone.hasAdbKeyboard(opts))) {
          throw new ChatError("the reply has characters `input text` cannot type and ADBKeyBoard is missing");
        }
        summary.generated++;
      } catch (e) {
        if (!(e instanceof ChatError)) throw e;
        text = null;
        ctx.log(
          `ChatGPT comment failed: ${e.message}; ${templates.length ? "a template is used instead" : "no templates: no comment on this video"}`,
          "warn",
        );
      }
    }
    if (text === null && templates.length) {
      text =
        c.comment_order === "sequential"
          ? await ctx.rotation.next(templates)
          : (templates[Math.floor(random() * templates.length)] as string);
    }
    if (text === null) return null;
    return c.insert_emoji ? withEmoji(text, random) : text;
  }

  /** Up to the next video: a swipe from low to high across the middle of the screen. */
  async function swipeOn(screen: Screen): Promise<void> {
    const { x2: w, y2: h } = screen.root.bounds;
    await phone.swipe(w / 2, h * 0.7, w / 2, h * 0.25, 300, opts);
  }

  function captionOf(screen: Screen): string {
    return textOf(screen.find(v("caption")))
      .replace(/\s+/g, " ")
      .trim();
  }
}

const sameNode = (a: UiNode, b: UiNode) =>
  a.resourceId === b.resourceId && a.contentDesc === b.contentDesc && a.bounds.y1 === b.bounds.y1;

/** A node's words: its text, else its description, else the first a descendant has. */
export function textOf(node: UiNode | undefined): string {
  if (!node) return "";
  if (node.text) return node.text;
  if (node.contentDesc) return node.contentDesc;
  for (const child of node.children) {
    const t = textOf(child);
    if (t) return t;
  }
  return "";
}
