// POST /api/v1/task's body, written once: the route validates and documents it, the task service takes its type.
import { type Static, Type as T } from "@sinclair/typebox";
import { literalUnion, PLATFORMS } from "../domain.ts";
import { START_TIME_PATTERN } from "./schedule.ts";

export const CreateTasksRequest = T.Object(
  {
    serials: T.Optional(
      T.Array(T.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: 1000,
        description: "device mode: one task (or more, see the script) per device; give this or usernames",
      }),
    ),
    usernames: T.Optional(
      T.Array(T.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: 1000,
        description:
          "username mode: tasks for these accounts, on the phone each lives on; each task first switches to its account in the app and checks it on screen; the leading @ is optional",
      }),
    ),
    script_name: T.String({
      description: "post, follow, unfollow, comment, account_warmup or match_accounts (missing → 40002)",
    }),
    script_config: T.Record(T.String(), T.Unknown(), {
      description: "the script's parameters, checked against its schema (see the ScriptConfig_* schemas)",
    }),
    enable_multi_account: T.Optional(
      T.Boolean({
        default: false,
        description:
          "device mode only: one task per logged-in, enabled account of `platform` on each device, run one after another, switching account between them; a device with none → 40004",
      }),
    ),
    min_interval: T.Optional(T.Integer({ minimum: 0, maximum: 1440, description: "minutes; default 0" })),
    max_interval: T.Optional(
      T.Integer({ minimum: 0, maximum: 1440, description: "minutes; default min_interval" }),
    ),
    start_time: T.Optional(
      T.String({
        pattern: START_TIME_PATTERN,
        title: "HH:MM, 24-hour",
        examples: ["14:30"],
        description: "HH:MM (or H:MM), 24-hour, in the service's time zone: due at its next occurrence",
      }),
    ),
    platform: T.Optional(
      literalUnion(PLATFORMS, {
        description:
          "the app to work in; default: the account's in username mode, else the one a comment's link names, else tiktok",
      }),
    ),
  },
  { additionalProperties: false },
);

export type CreateTasksRequest = Static<typeof CreateTasksRequest>;
