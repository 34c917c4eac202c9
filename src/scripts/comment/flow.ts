/**
 * Commenting on one post on one phone: open the post's link in the app, open its comments, type the
 * comment exactly, attach an image (TikTok), tap send once and watch the comment appear in the list. The
 * inputs are already resolved (the final text, the image file on this PC): see `CommentInput`.
 */

import type { Platform } from "../../domain.ts";
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import { pushMedia } from "../media.ts";
import { runFlow } from "../screen/app.ts";
import { type Screen, ScreenNeverCame, type Selector } from "../screen/index.ts";
import { checkCanType, typeInto } from "../screen/typing.ts";

export interface CommentInput {
  /** The app to comment in (the link's); default the task's platform. */
  app?: Platform;
  /** The post's link (TikTok video or photo link; Instagram /p/CODE/ or /reel/CODE/). */
  url: string;
  /** The comment exactly as it must appear. */
  text: string;
  /** TikTok only: an image file on this PC attached to the comment. */
  image?: string;
  /** How long each screen may take to come (default 15 s). */
  screenTimeoutMs?: number;
}

export interface CommentResult {
  package: string;
  version: string;
  /** Where the image was on the phone (removed again by the cleanup). */
  remoteImage: string | null;
  dumps: number;
  taps: { what: string; x: number; y: number }[];
}

const DUPLICATE = "not retried (a duplicate comment is worse than a failure)";

export async function commentFlow(ctx: ScriptContext, input: CommentInput): Promise<CommentResult> {
  return runFlow(ctx, () => walk(ctx, input));
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The rows showing a comment: `commentText` (nodes a comment's text is in, never the input field) that
 * contain `text`.
 */
export function commentRows(commentText: Selector, text: string): Selector {
  return commentText.map((m) => ({ ...m, textRegex: escapeRegex(text.trim()) }));
}

async function walk(ctx: ScriptContext, input: CommentInput): Promise<CommentResult> {
  const { phone, signal, task } = ctx;
  const app: Platform = input.app ?? task.platform;
  if (input.image && app !== "tiktok") {
    throw ScriptError.permanent("an image comment is for TikTok only: Instagram comments carry no image");
  }
  const session = await ctx.openApp(app);
  const { pkg, version, ui, sel, page } = session;
  const timeoutMs = input.screenTimeoutMs ?? 15_000;
  const wait = { timeoutMs };
  const opts = { signal };

  await checkCanType(ctx, [input.text], "the comment");
  const [image] = input.image ? await pushMedia(ctx, [input.image]) : [];

  const rows = commentRows(sel("comments", "commentText"), input.text);
  const countRows = (screen: Screen) => screen.findAll(rows).length;

  // Until send is tapped a failure may be retried; after, never (the comment may be there).
  let sent = false;
  try {
    await ctx.step("open the post", async () => {
      await phone.forceStop(pkg, opts);
      await phone.openUrl(input.url, pkg, opts);
      await ui.waitForApp(pkg, "the app");
    });
    const postPage = page(app === "tiktok" ? "video" : "post");
    const comments = page("comments");
    await ctx.step("open the comments", async () => {
      // a link the app does not open lands on the feed, whose videos have a comments button too
      const open = await ui.waitUntil(
        "the post's page",
        (screen) =>
          screen.shows(postPage) && !screen.has(sel("comments", "feed"))
            ? screen.find(sel("comments", "open"))
            : undefined,
        wait,
      );
      // the comment bar of the post's page is not the sheet's: the sheet must be there first
      await ui.tapToLeave(open, "comments", postPage, { to: [comments], retry: sel("comments", "open") });
    });
    await ctx.step("type the comment", () =>
      typeInto(ctx, session, comments, sel("comments", "input"), input.text, "the comment"),
    );
    if (image) {
      await ctx.step("attach the image", async () => {
        await ui.waitAndTap("the comment bar's image button", sel("comments", "image"), wait);
        // the picker lists the newest first: the image just pushed
        await ui.waitAndTap("the newest image in the picker", sel("comments", "pickerImage"), wait);
        await ui.waitAndTap("the picker's confirm button", sel("comments", "pickerConfirm"), wait);
        // never a comment without the image it was asked to carry
        await ui.waitFor(
          "the image attached to the comment",
          { image: sel("comments", "attachedImage") },
          wait,
        );
      });
    }
    const before = await ctx.step("send the comment", async () => {
      const { node, screen } = await ui.onPage(comments, "the send button", sel("comments", "send"), wait);
      const before = countRows(screen);
      sent = true;
      await ctx.irreversible("the comment was sent");
      await ui.tap(node, "send");
      return before;
    });
    await ctx.step("check the comment shows", async () => {
      await ui.waitUntil(
        "the comment in the list",
        (screen) => (countRows(screen) > before ? true : undefined),
        wait,
      );
      ctx.log(`commented: "${input.text}"${image ? " with an image" : ""}`);
    });
  } catch (e) {
    if (signal.aborted) throw e;
    if (e instanceof ScreenNeverCame) {
      throw sent
        ? ScriptError.permanent(`the comment was sent but ${e.message}; ${DUPLICATE}`)
        : ScriptError.retryable(`screen never came: ${e.message}`);
    }
    if (sent && !(e instanceof ScriptError && e.errorClass === "permanent")) {
      throw ScriptError.permanent(`the comment was sent, then: ${(e as Error).message}; ${DUPLICATE}`);
    }
    throw e;
  } finally {
    ctx.log(`${ui.dumps} UI dumps, ${ui.taps.length} taps`);
  }
  return { package: pkg, version, remoteImage: image?.remote ?? null, dumps: ui.dumps, taps: ui.taps };
}
