// The comment script's config: the posts (one task per link), the comments, an image for TikTok.
import { type Static, Type as T } from "@sinclair/typebox";
import { choice } from "../../explain.ts";
import { onlyOn, synonymOf } from "../../field-hints.ts";

/** How comment templates are picked (comment, account_warmup). */
export const COMMENT_ORDER = choice(
  [
    ["random", "Random"],
    ["sequential", "In turn"],
  ],
  {
    default: "random",
    title: "Comment order",
    description: "Pick a comment at random each time, or use them in turn (continuing across tasks)",
  },
);

/** Whether an emoji ends each comment (comment, account_warmup). */
export const INSERT_EMOJI = T.Boolean({
  default: false,
  title: "Add an emoji",
  description: "End each comment with an emoji",
});

export const commentConfig = T.Object(
  {
    target_post_urls: T.Array(T.String({ minLength: 1 }), {
      default: [],
      maxItems: 1000,
      title: "Posts to comment on",
      description:
        "Links of the posts, one per line: one task per link on each phone. When given, target_post_url is ignored (the answer's warnings say so)",
    }),
    target_post_url: T.String({
      default: "",
      title: "Posts to comment on (one text)",
      description:
        "The same links in one text, separated by commas or new lines; ignored when target_post_urls is given",
      ...synonymOf("target_post_urls"),
    }),
    comment_content: T.String({
      minLength: 1,
      title: "Comments",
      description: "One comment per line, one used per task; {a|b|c} picks one option per task",
    }),
    comment_order: COMMENT_ORDER,
    insert_emoji: INSERT_EMOJI,
    comment_image_path: T.String({
      default: "",
      title: "Image to attach",
      description:
        "An image comment (jpg, jpeg, png, webp): a file on this PC, absolute or relative to the data folder's upload/ and inside it (../ out of it → 40001)",
      ...onlyOn("tiktok"),
    }),
  },
  { additionalProperties: false },
);

export type CommentConfig = Static<typeof commentConfig>;
