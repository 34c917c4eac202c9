// test_sleep's config: how long to sleep, and how to end (succeed, fail, hang).
import { type Static, Type as T } from "@sinclair/typebox";
import { choice } from "../../explain.ts";
import { showWhen } from "../../field-hints.ts";

export const testConfig = T.Object(
  {
    seconds: T.Number({
      minimum: 0,
      maximum: 3600,
      default: 0,
      title: "Sleep (seconds)",
      description: "How long to sleep on the phone",
    }),
    fail: choice(
      [
        ["none", "Succeed"],
        ["retryable", "Retryable failure"],
        ["permanent", "Permanent failure"],
      ],
      {
        default: "none",
        title: "How it ends",
        description: "Succeed, or fail with a retryable or permanent error",
      },
    ),
    fail_until_retry: T.Integer({
      minimum: 0,
      default: 0,
      title: "Fail until retry",
      description:
        "Fail only while the task's retry count is below this, to test recovery by retry (0: always)",
      ...showWhen({ fail: ["retryable", "permanent"] }),
    }),
    hang: T.Boolean({
      default: false,
      title: "Hang",
      description: "Ignore the abort signal and never end",
    }),
    irreversible: T.Boolean({
      default: false,
      title: "Mark irreversible",
      description: "Mark the run irreversible after the marker",
    }),
  },
  { additionalProperties: false },
);

export type TestConfig = Static<typeof testConfig>;
