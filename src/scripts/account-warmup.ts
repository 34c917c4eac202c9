import { Type as T } from "@sinclair/typebox";
import type { ErrorDetail } from "../errors.ts";
import type { ScriptDefinition } from "./definition.ts";

const percent = (description: string) => T.Integer({ minimum: 0, maximum: 100, default: 0, description });

const warmupConfig = T.Object(
  {
    task_duration: T.Integer({ minimum: 30, maximum: 6 * 3600, default: 600, description: "seconds" }),
    topic: T.String({ default: "", description: "one topic per line; one is picked per task" }),
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
    collect_probable: percent("chance to save a video, %"),
    comment_probable: percent("chance to comment, %"),
    comment: T.String({ default: "", description: "comments to pick from, one per line" }),
    insert_emoji: T.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

export const accountWarmup: ScriptDefinition<typeof warmupConfig> = {
  name: "account_warmup",
  description: "Warm up an account by watching and interacting with videos",
  configSchema: warmupConfig,
  example: { task_duration: 600, topic: "cats\ncooking", like_probable: 30, floow_probable: 5 },
  check: (c) => {
    const issues: ErrorDetail[] = [];
    if (c.max_duration < c.min_duration) {
      issues.push({ path: "/script_config/max_duration", message: "must not be less than min_duration" });
    }
    if (c.comment_probable > 0 && !c.comment.trim()) {
      issues.push({ path: "/script_config/comment", message: "required when comment_probable is above 0" });
    }
    return issues;
  },
  // the run's own length plus room for opening the app and switching accounts
  maxDurationS: (c) => c.task_duration + 300,
};
