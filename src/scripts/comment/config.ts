// The comment script's config: the posts (one task per link), the comments, an image for TikTok.
import { type Static, Type as T } from "@sinclair/typebox";
import { choice } from "../../explain.ts";

/** How comment templates are picked (comment, account_warmup). */
export const COMMENT_ORDER = choice(
  [
    ["random", "a template at random"],
    ["sequential", "the templates in turn, continuing across tasks"],
  ],
  { default: "random", description: "how comment templates are picked" },
);

export const commentConfig = T.Object(
  {
    target_post_urls: T.Array(T.String({ minLength: 1 }), {
      default: [],
      maxItems: 1000,
      description: "when given it wins: target_post_url is then ignored (the answer's warnings say so)",
    }),
    target_post_url: T.String({
      default: "",
      description:
        "one string, URLs separated by commas or new lines; ignored when target_post_urls is given",
    }),
    comment_content: T.String({
      minLength: 1,
      description: "one comment per line; spintax {a|b|c} picks one option per task",
    }),
    comment_order: COMMENT_ORDER,
    insert_emoji: T.Boolean({ default: false }),
    comment_image_path: T.String({
      default: "",
      description:
        "TikTok only: an image comment (jpg, jpeg, png, webp); absolute, or relative to the data folder's upload/ and inside it (../ out of it → 40001)",
    }),
  },
  { additionalProperties: false },
);

export type CommentConfig = Static<typeof commentConfig>;
