import { Type as T } from "@sinclair/typebox";
import type { ScriptDefinition } from "./definition.ts";
import { splitList } from "./lists.ts";

const commentConfig = T.Object(
  {
    target_post_urls: T.Array(T.String({ minLength: 1 }), { default: [], maxItems: 1000 }),
    target_post_url: T.String({
      default: "",
      description: "one string, URLs separated by commas or new lines",
    }),
    comment_content: T.String({ minLength: 1, description: "one comment per line" }),
    comment_order: T.Union([T.Literal("random"), T.Literal("sequential")], { default: "random" }),
    insert_emoji: T.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

export const comment: ScriptDefinition<typeof commentConfig> = {
  name: "comment",
  description: "Comment on posts (one task per URL per device)",
  configSchema: commentConfig,
  example: {
    target_post_urls: ["https://www.tiktok.com/@tiktok/video/7106594312292453675"],
    comment_content: "Great video!\nLove this",
    comment_order: "random",
  },
  check: (c) => {
    const urls = splitList(c.target_post_urls, c.target_post_url);
    if (urls.length === 0) {
      return [{ path: "/script_config/target_post_urls", message: "give at least one URL" }];
    }
    const bad = urls.findIndex((u) => !/^https?:\/\/\S+$/.test(u));
    return bad >= 0
      ? [{ path: `/script_config/target_post_urls/${bad}`, message: `"${urls[bad]}" is not a URL` }]
      : [];
  },
  expand: (c) =>
    splitList(c.target_post_urls, c.target_post_url).map((url) => ({
      ...c,
      target_post_urls: [url],
      target_post_url: "",
    })),
  maxDurationS: () => 300,
};
