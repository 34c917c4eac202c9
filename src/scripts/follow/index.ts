/** `follow` and `unfollow`: one task per target user per device, each reaching the user's profile. */
import { Value } from "@sinclair/typebox/value";
import { bareUsername } from "../../domain.ts";
import type { ErrorDetail } from "../../errors.ts";
import type { ScriptDefinition } from "../definition.ts";
import { ignoredFields, type TargetFields, winningList } from "../lists.ts";
import { type FollowConfig, followConfig } from "./config.ts";
import { type FollowAction, followFlow } from "./flow.ts";

/** TikTok and Instagram user names: letters, digits, "_" and "." (a link or a path is not a name). */
const USERNAME = /^[A-Za-z0-9_.]{1,64}$/;

/** The three fields that name users, in the order they win (target_username is target_user's synonym). */
const userFields = (c: FollowConfig): TargetFields => [
  ["target_users", c.target_users],
  ["target_user", c.target_user],
  ["target_username", c.target_username],
];

/** The targets of the field that wins, "@" dropped, each user once (names are not case-sensitive). */
function targets(c: FollowConfig): { user: string; field: string }[] {
  const { field, items } = winningList(userFields(c));
  const seen = new Set<string>();
  return items
    .map((user) => ({ user: bareUsername(user), field: field as string }))
    .filter(({ user }) => {
      const key = user.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function checkFollow(c: FollowConfig): ErrorDetail[] {
  const all = targets(c);
  if (all.length === 0) {
    return [
      {
        path: "/script_config/target_users",
        message: "give at least one user in target_users, target_user or target_username",
      },
    ];
  }
  return all
    .filter(({ user }) => !USERNAME.test(user))
    .slice(0, 20)
    .map(({ user, field }) => ({
      path: `/script_config/${field}`,
      message: `"${user}" is not a user name (letters, digits, "_" and "." only)`,
    }));
}

/** One task per target user on each device: the stored config names that one user. */
function perTarget(c: FollowConfig): FollowConfig[] {
  return targets(c).map(({ user }) => ({
    target_users: [user],
    target_user: "",
    target_username: "",
    access_method: c.access_method,
  }));
}

function makeFollowScript(name: FollowAction, verb: string): ScriptDefinition<typeof followConfig> {
  return {
    name,
    description: `${verb} users (one task per target per device)`,
    configSchema: followConfig,
    example: { target_users: ["tiktok", "@charlidamelio"], access_method: "direct" },
    check: checkFollow,
    expand: perTarget,
    warnings: (c) => ignoredFields(userFields(c)),
    maxDurationS: () => 300,
    async run(ctx) {
      // a task stored before a field existed lacks it: the schema's defaults fill it in
      const config = Value.Default(followConfig, structuredClone(ctx.task.config)) as FollowConfig;
      const [target] = targets(config);
      if (!target) throw new Error("a follow task names no user (its config was not expanded)");
      await followFlow(ctx, { action: name, user: target.user, access: config.access_method });
    },
  };
}

export const follow = makeFollowScript("follow", "Follow");
export const unfollow = makeFollowScript("unfollow", "Unfollow");
