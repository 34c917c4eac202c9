// The comment script's config: the posts (one task per link), the comments, an image for TikTok.
import { type Static, Type as T } from "@sinclair/typebox";

export const commentConfig = T.Object(
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

export type CommentConfig = Static<typeof commentConfig>;
