// The follow and unfollow scripts' config: the users (three fields, merged) and how to reach them.
import { type Static, Type as T } from "@sinclair/typebox";

const ONE_STRING = "one string, users separated by commas or new lines";

export const followConfig = T.Object(
  {
    target_users: T.Array(T.String({ minLength: 1 }), { default: [], maxItems: 1000 }),
    target_user: T.String({ default: "", description: ONE_STRING }),
    target_username: T.String({
      default: "",
      description: `${ONE_STRING}; a synonym of target_user (all three fields are merged)`,
    }),
    access_method: T.Union([T.Literal("direct"), T.Literal("search")], {
      default: "direct",
      description: "direct: open the profile link; search: find the user in the app's search",
    }),
  },
  { additionalProperties: false },
);

export type FollowConfig = Static<typeof followConfig>;
