// test_sleep on the phone: small real things (echo, sleep), then the end the config asks for.
import type { ScriptContext } from "../context.ts";
import { ScriptError } from "../errors.ts";
import type { TestConfig } from "./config.ts";

export const TEST_PACKAGE = "com.zhiliaoapp.musically";

export async function testFlow(ctx: ScriptContext<TestConfig>): Promise<void> {
  const c = ctx.task.config;
  ctx.onCleanup((signal) => ctx.phone.forceStop(TEST_PACKAGE, { signal }));
  await ctx.step("mark", () => ctx.phone.shell(`echo farm-task-${ctx.task.id}`, { signal: ctx.signal }));
  if (c.irreversible) await ctx.irreversible("the test's point of no return");
  if (c.hang) await new Promise(() => {});
  if (c.seconds > 0) {
    await ctx.step(`sleep ${c.seconds} s`, () =>
      ctx.phone.shell(`sleep ${c.seconds}`, { signal: ctx.signal }),
    );
  }
  const retry = ctx.task.retryCount;
  if (c.fail !== "none" && (c.fail_until_retry === 0 || retry < c.fail_until_retry))
    throw new ScriptError(`asked to fail (${c.fail})`, c.fail);
}
