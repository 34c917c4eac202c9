/** `comment`: one comment (order, spintax, emoji, maybe an image) on each post link, from the link's app. */
import type { Platform } from "../../domain.ts";
import type { ErrorDetail } from "../../errors.ts";
import { captionLines, type Random, spin } from "../../materials/captions.ts";
import { findImage, type Rotation } from "../../materials/index.ts";
import type { ScriptContext, ScriptServices } from "../context.ts";
import type { ScriptDefinition } from "../definition.ts";
import { ScriptError } from "../errors.ts";
import { ignoredFields, type TargetFields, winningList } from "../lists.ts";
import { APP_LABEL } from "../screen/app.ts";
import { withEmoji } from "../screen/typing.ts";
import { type CommentConfig, commentConfig } from "./config.ts";
import { type CommentInput, commentFlow } from "./flow.ts";

/** The links that open a post's page in each app. */
const POST_LINK: Record<Platform, RegExp> = {
  tiktok:
    /^https?:\/\/(?:(?:www\.|m\.)?tiktok\.com\/(?:@[\w.-]+\/(?:video|photo)\/\d+|t\/\w+)|(?:vm|vt)\.tiktok\.com\/\w+)/i,
  instagram: /^https?:\/\/(?:www\.)?instagram\.com\/(?:p|reel|reels|tv)\/[\w-]+/i,
};

export const POST_LINKS =
  "a TikTok video link (https://www.tiktok.com/@user/video/ID, https://vm.tiktok.com/CODE/) or an Instagram post link (https://www.instagram.com/p/CODE/, /reel/CODE/)";

/** The app whose post `url` is (a comment on it can only be made there), or null when it is no post link. */
export function linkApp(url: string): Platform | null {
  return (Object.keys(POST_LINK) as Platform[]).find((app) => POST_LINK[app].test(url.trim())) ?? null;
}

/**
 * One comment of `comment_content` (one per line): a random line, or the next of the set's rotation
 * (`sequential`, continuing across tasks and restarts); its spintax spun; an emoji appended when asked.
 */
export async function chooseComment(
  c: CommentConfig,
  rotation: Rotation,
  random: Random = Math.random,
): Promise<string> {
  const lines = captionLines(c.comment_content);
  if (lines.length === 0) throw ScriptError.permanent("comment_content has no comment (every line is empty)");
  const line =
    c.comment_order === "sequential"
      ? await rotation.next(lines)
      : (lines[Math.min(lines.length - 1, Math.floor(random() * lines.length))] as string);
  const text = spin(line, random);
  return c.insert_emoji ? withEmoji(text, random) : text;
}

/** The flow's inputs: the task's URL, the comment, the image file on this PC (if any). */
export async function resolveInput(ctx: ScriptContext<CommentConfig>): Promise<CommentInput> {
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
  const text = await chooseComment(c, ctx.rotation);
  ctx.log(`comment: "${text}"${image ? ` with the image ${image}` : ""} on ${url}`);
  return { app, url, text, image };
}

const IMAGE_PATH = "/script_config/comment_image_path";

/** The two fields that name posts, in the order they win. */
const urlFields = (c: CommentConfig): TargetFields => [
  ["target_post_urls", c.target_post_urls],
  ["target_post_url", c.target_post_url],
];
const postUrls = (c: CommentConfig) => winningList(urlFields(c)).items;

function checkComment(c: CommentConfig, { dataDir }: ScriptServices): ErrorDetail[] {
  const urls = postUrls(c);
  if (urls.length === 0) {
    return [{ path: "/script_config/target_post_urls", message: "give at least one URL" }];
  }
  const issues: ErrorDetail[] = [];
  const bad = urls.findIndex((u) => !/^https?:\/\/\S+$/.test(u));
  if (bad >= 0) {
    issues.push({ path: `/script_config/target_post_urls/${bad}`, message: `"${urls[bad]}" is not a URL` });
  } else {
    const notPost = urls.findIndex((u) => !linkApp(u));
    if (notPost >= 0) {
      issues.push({
        path: `/script_config/target_post_urls/${notPost}`,
        message: `"${urls[notPost]}" is not ${POST_LINKS}`,
      });
    }
  }
  if (captionLines(c.comment_content).length === 0) {
    issues.push({
      path: "/script_config/comment_content",
      message: "give at least one comment (one per line)",
    });
  }
  if (c.comment_image_path.trim()) {
    // a relative path is inside the service's data folder
    const found = findImage(c.comment_image_path, dataDir);
    if (!found.ok) issues.push({ path: IMAGE_PATH, message: found.reason });
  }
  return issues;
}

/** The app of the (expanded) config's post link. */
function commentPlatform(c: CommentConfig): Platform | undefined {
  const [url] = postUrls(c);
  return (url && linkApp(url)) || undefined;
}

/**
 * A post is commented on in its own app: a link of the other app than the tasks' (an account's, or the
 * request's platform) is refused; an image comment is TikTok's alone.
 */
function checkCommentPlatform(c: CommentConfig, platform: Platform): ErrorDetail[] {
  const urls = postUrls(c);
  const other = urls.findIndex((u) => linkApp(u) !== null && linkApp(u) !== platform);
  if (other >= 0) {
    return [
      {
        path: `/script_config/target_post_urls/${other}`,
        message: `"${urls[other]}" is a post in ${APP_LABEL[linkApp(urls[other] as string) as Platform]}, but these tasks run in ${APP_LABEL[platform]} (an account's app, or "platform"): comment from an account of that app`,
      },
    ];
  }
  if (!c.comment_image_path.trim()) return [];
  const instagramLink = postUrls(c).find((u) => linkApp(u) === "instagram");
  if (platform !== "instagram" && !instagramLink) return [];
  const why = instagramLink ? `"${instagramLink}" is an Instagram post` : "these tasks run in Instagram";
  return [
    {
      path: IMAGE_PATH,
      message: `image comments are TikTok only (Instagram comments carry no image) and ${why}: leave comment_image_path empty`,
    },
  ];
}

export const comment: ScriptDefinition<typeof commentConfig> = {
  name: "comment",
  description: "Comment on posts (one task per URL per device)",
  configSchema: commentConfig,
  example: {
    target_post_urls: ["https://www.tiktok.com/@tiktok/video/7106594312292453675"],
    comment_content: "Great video!\nLove this",
    comment_order: "random",
  },
  check: checkComment,
  platformOf: commentPlatform,
  checkPlatform: checkCommentPlatform,
  warnings: (c) => ignoredFields(urlFields(c)),
  expand: (c) =>
    postUrls(c).map((url) => ({
      ...c,
      target_post_urls: [url],
      target_post_url: "",
    })),
  async run(ctx) {
    const input = await ctx.step("choose the comment", () => resolveInput(ctx));
    await commentFlow(ctx, input);
  },
  maxDurationS: () => 300,
};
