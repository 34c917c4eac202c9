import { type Static, Type as T } from "@sinclair/typebox";
import { bareUsername } from "../domain.ts";
import type { ScriptDefinition } from "./definition.ts";
import { splitList } from "./lists.ts";

const followConfig = T.Object(
  {
    target_users: T.Array(T.String({ minLength: 1 }), { default: [], maxItems: 1000 }),
    target_user: T.String({ default: "", description: "one string, users separated by commas or new lines" }),
    access_method: T.Union([T.Literal("direct"), T.Literal("search")], {
      default: "direct",
      description: "direct: open the profile link; search: find the user in the app's search",
    }),
  },
  { additionalProperties: false },
);

/** One task per target user on each device. */
function perTarget(c: Static<typeof followConfig>): Static<typeof followConfig>[] {
  return splitList(c.target_users, c.target_user).map((user) => ({
    target_users: [bareUsername(user)],
    target_user: "",
    access_method: c.access_method,
  }));
}

function makeFollowScript(name: "follow" | "unfollow", verb: string): ScriptDefinition<typeof followConfig> {
  return {
    name,
    description: `${verb} users (one task per target per device)`,
    configSchema: followConfig,
    example: { target_users: ["tiktok", "@charlidamelio"], access_method: "direct" },
    check: (c) =>
      splitList(c.target_users, c.target_user).length === 0
        ? [
            {
              path: "/script_config/target_users",
              message: "give at least one user in target_users or target_user",
            },
          ]
        : [],
    expand: perTarget,
    maxDurationS: () => 300,
  };
}

export const follow = makeFollowScript("follow", "Follow");
export const unfollow = makeFollowScript("unfollow", "Unfollow");
