// test_sleep's config: how long to sleep, and how to end (succeed, fail, hang).
import { type Static, Type as T } from "@sinclair/typebox";
import { choice } from "../../explain.ts";

export const testConfig = T.Object(
  {
    seconds: T.Number({
      minimum: 0,
      maximum: 3600,
      default: 0,
      description: "how long to sleep on the phone",
    }),
    fail: choice(
      [
        ["none", "succeed"],
        ["retryable", "fail with a retryable error"],
        ["permanent", "fail with a permanent error"],
      ],
      { default: "none" },
    ),
    /** When set, fail only while the task's retry count is below this (to test recovery by retry). */
    fail_until_retry: T.Integer({ minimum: 0, default: 0 }),
    hang: T.Boolean({ default: false, description: "ignore the abort signal and never end" }),
    irreversible: T.Boolean({ default: false, description: "mark the run irreversible after the marker" }),
  },
  { additionalProperties: false },
);

export type TestConfig = Static<typeof testConfig>;
