// Scripts for tests of the runner: they do small real things on a phone (echo, sleep) and fail or hang on
// demand. Registered by the tests, or in the executable by FARM_TEST_SCRIPTS=1; never otherwise.
import { Type as T } from "@sinclair/typebox";
import { ScriptError } from "./context.ts";
import type { ScriptDefinition } from "./definition.ts";

const testConfig = T.Object(
  {
    seconds: T.Number({
      minimum: 0,
      maximum: 3600,
      default: 0,
      description: "how long to sleep on the phone",
    }),
    fail: T.Union([T.Literal("none"), T.Literal("retryable"), T.Literal("permanent")], { default: "none" }),
    /** When set, fail only while the task's retry count is below this (to test recovery by retry). */
    fail_until_retry: T.Integer({ minimum: 0, default: 0 }),
    hang: T.Boolean({ default: false, description: "ignore the abort signal and never end" }),
    irreversible: T.Boolean({ default: false, description: "mark the run irreversible after the marker" }),
  },
  { additionalProperties: false },
);

export const TEST_PACKAGE = "com.zhiliaoapp.musically";

export const testScript: ScriptDefinition<typeof testConfig> = {
  name: "test_sleep",
  description: "test only: echo a marker on the phone, sleep, then succeed, fail or hang",
  configSchema: testConfig,
  example: { seconds: 1 },
  usesAccount: false,
  maxDurationS: (c) => c.seconds + 60,
  async run(ctx) {
    const c = ctx.task.config;
    ctx.onCleanup((signal) => ctx.phone.forceStop(TEST_PACKAGE, { signal }));
    await ctx.step("mark", () => ctx.phone.shell(`echo farm-task-${ctx.task.id}`, { signal: ctx.signal }));
    if (c.irreversible) ctx.irreversible("the test's point of no return");
    if (c.hang) await new Promise(() => {});
    if (c.seconds > 0) {
      await ctx.step(`sleep ${c.seconds} s`, () =>
        ctx.phone.shell(`sleep ${c.seconds}`, { signal: ctx.signal }),
      );
    }
    const retry = ctx.task.retryCount;
    if (c.fail !== "none" && (c.fail_until_retry === 0 || retry < c.fail_until_retry))
      throw new ScriptError(`asked to fail (${c.fail})`, c.fail);
  },
};
