/** `account_warmup`: watch and interact with videos for a while, as a person would. */
import { Value } from "@sinclair/typebox/value";
import type { ErrorDetail } from "../../errors.ts";
import type { ScriptDefinition } from "../definition.ts";
import { type WarmupConfig, warmupConfig } from "./config.ts";
import { warmupFlow } from "./flow.ts";

function checkWarmup(c: WarmupConfig): ErrorDetail[] {
  const issues: ErrorDetail[] = [];
  if (c.max_duration < c.min_duration) {
    issues.push({ path: "/script_config/max_duration", message: "must not be less than min_duration" });
  }
  if (c.generate_by_chatgpt && !c.chatgpt_settings.api_key.trim()) {
    issues.push({
      path: "/script_config/chatgpt_settings/api_key",
      message: "required when generate_by_chatgpt is true",
    });
  }
  if (!URL.canParse(c.chatgpt_settings.base_url)) {
    issues.push({ path: "/script_config/chatgpt_settings/base_url", message: "is not a URL" });
  }
  if (c.comment_probable > 0 && !c.comment.trim() && !c.generate_by_chatgpt) {
    issues.push({
      path: "/script_config/comment",
      message: "required when comment_probable is above 0 (or set generate_by_chatgpt)",
    });
  }
  return issues;
}

export const accountWarmup: ScriptDefinition<typeof warmupConfig> = {
  name: "account_warmup",
  description: "Warm up an account by watching and interacting with videos",
  configSchema: warmupConfig,
  example: { task_duration: 600, topic: "cats\ncooking", like_probable: 30, floow_probable: 5 },
  check: checkWarmup,
  async run(ctx) {
    // a task stored before a field existed runs with that field's default
    const config = Value.Default(warmupConfig, structuredClone(ctx.task.config)) as WarmupConfig;
    await warmupFlow(ctx, config);
  },
  // the run's own length plus room for opening the app and switching accounts
  maxDurationS: (c) => c.task_duration + 300,
  expectedDurationS: (c) => c.task_duration,
};
