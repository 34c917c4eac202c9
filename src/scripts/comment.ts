import { type Static, Type as T } from "@sinclair/typebox";
import type { Platform } from "../domain.ts";
import type { ErrorDetail } from "../errors.ts";
import { captionLines } from "../materials/captions.ts";
import { activeDataDir, findImage } from "../materials/index.ts";
import { linkApp, POST_LINKS, run } from "./comment/index.ts";
import type { ScriptDefinition } from "./definition.ts";
import { splitList } from "./lists.ts";
import { APP_LABEL } from "./ui/app.ts";

const commentConfig = T.Object(
  {
    target_post_urls: T.Array(T.String({ minLength: 1 }), { default: [], maxItems: 1000 }),
    target_post_url: T.String({
      default: "",
      description: "one string, URLs separated by commas or new lines",
    }),
    comment_content: T.String({
      minLength: 1,
      description: "one comment per line; spintax {a|b|c} picks one option per task",
    }),
    comment_order: T.Union([T.Literal("random"), T.Literal("sequential")], { default: "random" }),
    insert_emoji: T.Boolean({ default: false }),
    comment_image_path: T.String({
      default: "",
      description:
        "TikTok only: an image comment (jpg, jpeg, png, webp); absolute, or relative to the data folder's upload/ and inside it (../ out of it → 40001)",
    }),
  },
  { additionalProperties: false },
);

type CommentConfig = Static<typeof commentConfig>;

const IMAGE_PATH = "/script_config/comment_image_path";

function checkComment(c: CommentConfig): ErrorDetail[] {
  const urls = splitList(c.target_post_urls, c.target_post_url);
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
    // relative paths are in the service's data folder, known here through the open library
    const found = findImage(c.comment_image_path, activeDataDir());
    if (!found.ok) issues.push({ path: IMAGE_PATH, message: found.reason });
  }
  return issues;
}

/** The app of the (expanded) config's post link. */
function commentPlatform(c: CommentConfig): Platform | undefined {
  const [url] = splitList(c.target_post_urls, c.target_post_url);
  return (url && linkApp(url)) || undefined;
}

/**
 * A post is commented on in its own app: a link of the other app than the tasks' (an account's, or the
 * request's platform) is refused; an image comment is TikTok's alone.
 */
function checkCommentPlatform(c: CommentConfig, platform: Platform): ErrorDetail[] {
  const urls = splitList(c.target_post_urls, c.target_post_url);
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
  const instagramLink = splitList(c.target_post_urls, c.target_post_url).find(
    (u) => linkApp(u) === "instagram",
  );
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
  expand: (c) =>
    splitList(c.target_post_urls, c.target_post_url).map((url) => ({
      ...c,
      target_post_urls: [url],
      target_post_url: "",
    })),
  run,
  maxDurationS: () => 300,
};
