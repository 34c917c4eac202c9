// The account_warmup script's config: how long, what to watch, the chance of each action, the comments.
import { type Static, Type as T } from "@sinclair/typebox";
import { COMMENT_ORDER } from "../comment/config.ts";

const percent = (description: string) => T.Integer({ minimum: 0, maximum: 100, default: 0, description });

/** `{caption}` in the prompt is replaced by the video's caption (which is also sent as the user message). */
export const DEFAULT_PROMPT =
  "You watch short videos and leave comments. Write one short, friendly, natural comment (one sentence, " +
  "under 20 words, no hashtags, no quotes) on the video whose caption is: {caption}";

const chatgptSettings = T.Object(
  {
    api_key: T.String({
      default: "",
      description: "required when generate_by_chatgpt; never logged, shown masked by every endpoint",
    }),
    model: T.String({ minLength: 1, default: "gpt-3.5-turbo" }),
    prompt: T.String({
      minLength: 1,
      default: DEFAULT_PROMPT,
      description: "the system prompt; {caption} is replaced by the video's caption",
    }),
    max_tokens: T.Integer({ minimum: 1, maximum: 4096, default: 100 }),
    temperature: T.Number({ minimum: 0, maximum: 2, default: 0.7 }),
    base_url: T.String({
      pattern: "^https?://\\S+$",
      default: "https://api.openai.com/v1",
      description:
        "any OpenAI-compatible endpoint; POST {base_url}/chat/completions (its query, e.g. ?key=…, kept); " +
        "user:pass@ and query values are shown masked",
    }),
  },
  { additionalProperties: false, default: {} },
);

export const warmupConfig = T.Object(
  {
    task_duration: T.Integer({ minimum: 30, maximum: 6 * 3600, default: 600, description: "seconds" }),
    topic: T.String({
      default: "",
      description:
        "one topic per line; one is picked per task and searched (empty: the For You feed / Reels)",
    }),
    min_duration: T.Integer({
      minimum: 1,
      maximum: 600,
      default: 15,
      description: "seconds per video, at least",
    }),
    max_duration: T.Integer({
      minimum: 1,
      maximum: 600,
      default: 30,
      description: "seconds per video, at most",
    }),
    like_probable: percent("chance to like a video, %"),
    floow_probable: percent("chance to follow the author, % (sic: the real field name)"),
    follow_probable: percent(
      "synonym of floow_probable; when both are given the larger of the two is the chance to follow",
    ),
    collect_probable: percent("chance to save a video (TikTok Favorites, Instagram Save), %"),
    comment_probable: percent("chance to comment, %"),
    comment: T.String({ default: "", description: "comments to pick from, one per line" }),
    comment_order: COMMENT_ORDER,
    insert_emoji: T.Boolean({ default: false, description: "append an emoji to each comment" }),
    generate_by_chatgpt: T.Boolean({
      default: false,
      description:
        "write each comment with a chat-completions model from the video's caption; on failure a template is used",
    }),
    chatgpt_settings: chatgptSettings,
  },
  { additionalProperties: false },
);

export type WarmupConfig = Static<typeof warmupConfig>;
