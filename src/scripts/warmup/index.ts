/** The `account_warmup` script's run: the flow on the phone with the task's config. */
import type { WarmupConfig } from "../account-warmup.ts";
import type { ScriptContext } from "../context.ts";
import { warmupFlow } from "./flow.ts";

export { type WarmupOptions, type WarmupSummary, warmupFlow } from "./flow.ts";

export async function run(ctx: ScriptContext<WarmupConfig>): Promise<void> {
  await warmupFlow(ctx, ctx.task.config);
}
