/** The `comment` script's run: which comment (order, spintax, emoji) and which image, then the flow on the phone. */
import { captionLines, type Random, spin } from "../../materials/captions.ts";
import { findImage, nextInRotation } from "../../materials/index.ts";
import { type ScriptContext, ScriptError } from "../context.ts";
import type { AppName } from "../selectors/index.ts";
import { APP_LABEL } from "../ui/app.ts";
import { withEmoji } from "../ui/typing.ts";
import { type CommentInput, commentFlow } from "./flow.ts";

export { type CommentInput, type CommentResult, commentFlow } from "./flow.ts";

/** The links that open a post's page in each app. */
const POST_LINK: Record<AppName, RegExp> = {
  tiktok:
    /^https?:\/\/(?:(?:www\.|m\.)?tiktok\.com\/(?:@[\w.-]+\/(?:video|photo)\/\d+|t\/\w+)|(?:vm|vt)\.tiktok\.com\/\w+)/i,
  instagram: /^https?:\/\/(?:www\.)?instagram\.com\/(?:p|reel|reels|tv)\/[\w-]+/i,
};

export const POST_LINKS =
  "a TikTok video link (https://www.tiktok.com/@user/video/ID, https://vm.tiktok.com/CODE/) or an Instagram post link (https://www.instagram.com/p/CODE/, /reel/CODE/)";

/** The app whose post `url` is (a comment on it can only be made there), or null when it is no post link. */
export function linkApp(url: string): AppName | null {
  return (Object.keys(POST_LINK) as AppName[]).find((app) => POST_LINK[app].test(url.trim())) ?? null;
}

/** The comment config's fields the run reads (names as in the API). */
export interface CommentSettings {
  target_post_urls: string[];
  comment_content: string;
  comment_order: "random" | "sequential";
  insert_emoji: boolean;
  comment_image_path: string;
}

/**
 * One comment of `comment_content` (one per line): a random line, or the next of the set's rotation
 * (`sequential`, continuing across tasks and restarts); its spintax spun; an emoji appended when asked.
 */
export function chooseComment(c: CommentSettings, random: Random = Math.random): string {
  const lines = captionLines(c.comment_content);
  if (lines.length === 0) throw ScriptError.permanent("comment_content has no comment (every line is empty)");
  const line =
    c.comment_order === "sequential"
      ? nextInRotation(lines)
      : (lines[Math.min(lines.length - 1, Math.floor(random() * lines.length))] as string);
  const text = spin(line, random);
  return c.insert_emoji ? withEmoji(text, random) : text;
}

/** The flow's inputs: the task's URL, the comment, the image file on this PC (if any). */
export function resolveInput(ctx: ScriptContext<CommentSettings & Record<string, unknown>>): CommentInput {
  const { config: c, platform, username } = ctx.task;
  const url = c.target_post_urls[0];
  if (!url) throw ScriptError.permanent("the task has no post URL");
  // The link decides the app (device mode defaults to TikTok, and the docs' Instagram example gives no
  // platform); a task for an account of the other app must not comment as whoever is signed in there.
  const app = linkApp(url) ?? platform;
  if (app !== platform && username) {
    throw ScriptError.permanent(
      `"${url}" is a post in ${APP_LABEL[app]}, but this task is for ${username}, an account in ${APP_LABEL[platform]}: create it for an account in ${APP_LABEL[app]}`,
    );
  }
  let image: string | undefined;
  if (c.comment_image_path.trim()) {
    const found = findImage(c.comment_image_path, ctx.dataDir);
    // the image was there when the task was created; now it is not: running again will not help
    if (!found.ok) throw ScriptError.permanent(`comment image: ${found.reason}`);
    image = found.file.path;
  }
  const text = chooseComment(c);
  ctx.log(`comment: "${text}"${image ? ` with the image ${image}` : ""} on ${url}`);
  return { app, url, text, image, dataDir: ctx.dataDir };
}

export async function run(ctx: ScriptContext<CommentSettings & Record<string, unknown>>): Promise<void> {
  const input = await ctx.step("choose the comment", async () => resolveInput(ctx));
  await commentFlow(ctx, input);
}
