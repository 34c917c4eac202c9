// The follow and unfollow scripts' config: the users (three fields, the first given wins) and how to reach them.
import { type Static, Type as T } from "@sinclair/typebox";
import { choice } from "../../explain.ts";

const ONE_STRING = "one string, users separated by commas or new lines";

export const followConfig = T.Object(
  {
    target_users: T.Array(T.String({ minLength: 1 }), {
      default: [],
      maxItems: 1000,
      description:
        "when given it wins: target_user and target_username are then ignored (the answer's warnings say so)",
    }),
    target_user: T.String({
      default: "",
      description: `${ONE_STRING}; ignored when target_users is given`,
    }),
    target_username: T.String({
      default: "",
      description: `${ONE_STRING}; a synonym of target_user, ignored when target_users or target_user is given`,
    }),
    access_method: choice(
      [
        ["direct", "open the profile link"],
        ["search", "find the user in the app's search"],
      ],
      { default: "direct" },
    ),
  },
  { additionalProperties: false },
);

export type FollowConfig = Static<typeof followConfig>;
