// The account_warmup script's config: how long, what to watch, the chance of each action, the comments.
import { type Static, Type as T } from "@sinclair/typebox";
import { showWhen, synonymOf } from "../../field-hints.ts";
import { COMMENT_ORDER, INSERT_EMOJI } from "../comment/config.ts";

const percent = (title: string, description: string, hints: Record<string, unknown> = {}) =>
  T.Integer({ minimum: 0, maximum: 100, default: 0, title, description, ...hints });

/** `{caption}` in the prompt is replaced by the video's caption (which is also sent as the user message). */
export const DEFAULT_PROMPT =
  "You watch short videos and leave comments. Write one short, friendly, natural comment (one sentence, " +
  "under 20 words, no hashtags, no quotes) on the video whose caption is: {caption}";

const chatgptSettings = T.Object(
  {
    api_key: T.String({
      default: "",
      title: "API key",
      description:
        "The service's key, needed to write comments with ChatGPT; never logged, shown masked by every endpoint",
    }),
    model: T.String({
      minLength: 1,
      default: "gpt-3.5-turbo",
      title: "Model",
      description: "The chat model's name, as the service knows it",
    }),
    prompt: T.String({
      minLength: 1,
      default: DEFAULT_PROMPT,
      title: "Instructions",
      description:
        "What the model is told to do (the system prompt); {caption} is replaced by the video's caption",
    }),
    max_tokens: T.Integer({
      minimum: 1,
      maximum: 4096,
      default: 100,
      title: "Longest comment (tokens)",
      description: "The most tokens the model may write for one comment",
    }),
    temperature: T.Number({
      minimum: 0,
      maximum: 2,
      default: 0.7,
      title: "Variety",
      description: "How varied the comments are, from 0 (plain) to 2 (most varied): the model's temperature",
    }),
    base_url: T.String({
      pattern: "^https?://\\S+$",
      default: "https://api.openai.com/v1",
      title: "Service address",
      description:
        "Any OpenAI-compatible endpoint; POST {base_url}/chat/completions (its query, e.g. ?key=…, kept); " +
        "user:pass@ and query values are shown masked",
    }),
  },
  {
    additionalProperties: false,
    default: {},
    title: "ChatGPT settings",
    description: "The chat model that writes the comments: any OpenAI-compatible service",
    ...showWhen({ generate_by_chatgpt: [true] }),
  },
);

export const warmupConfig = T.Object(
  {
    task_duration: T.Integer({
      minimum: 30,
      maximum: 6 * 3600,
      default: 600,
      title: "Duration (seconds)",
      description: "How long to warm up, 30 s to 6 h; opening the app and searching count",
    }),
    topic: T.String({
      default: "",
      title: "Topics",
      description:
        "One topic per line: one is picked per task and searched; empty: the For You feed (Instagram: Reels)",
    }),
    min_duration: T.Integer({
      minimum: 1,
      maximum: 600,
      default: 15,
      title: "Shortest watch (seconds)",
      description: "Each video is watched at least this long",
    }),
    max_duration: T.Integer({
      minimum: 1,
      maximum: 600,
      default: 30,
      title: "Longest watch (seconds)",
      description: "Each video is watched at most this long",
    }),
    like_probable: percent("Chance to like (%)", "How likely each video is liked, 0 to 100"),
    floow_probable: percent(
      "Chance to follow (%)",
      "How likely each video's author is followed, 0 to 100 (sic: the real field name)",
    ),
    follow_probable: percent(
      "Chance to follow (%)",
      "Another spelling of floow_probable; when both are given the larger of the two is the chance to follow",
      synonymOf("floow_probable"),
    ),
    collect_probable: percent(
      "Chance to save (%)",
      "How likely each video is saved (TikTok Favorites, Instagram Save), 0 to 100",
    ),
    comment_probable: percent("Chance to comment (%)", "How likely each video gets a comment, 0 to 100"),
    comment: T.String({
      default: "",
      title: "Comments",
      description: "Comments to pick from, one per line",
    }),
    comment_order: COMMENT_ORDER,
    insert_emoji: INSERT_EMOJI,
    generate_by_chatgpt: T.Boolean({
      default: false,
      title: "Write comments with ChatGPT",
      description:
        "Write each comment with a chat model from the video's caption; when that fails, one from Comments is used",
    }),
    chatgpt_settings: chatgptSettings,
  },
  { additionalProperties: false },
);

export type WarmupConfig = Static<typeof warmupConfig>;
