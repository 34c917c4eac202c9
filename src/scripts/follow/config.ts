// The follow and unfollow scripts' config: the users (three fields, the first given wins) and how to reach them.
import { type Static, Type as T } from "@sinclair/typebox";
import { choice } from "../../explain.ts";
import { synonymOf } from "../../field-hints.ts";

const ONE_TEXT = "The same users in one text, separated by commas or new lines";

export const followConfig = T.Object(
  {
    target_users: T.Array(T.String({ minLength: 1 }), {
      default: [],
      maxItems: 1000,
      title: "Users",
      description:
        "User names, one per line, with or without @: one task per user on each phone. When given, target_user and target_username are ignored (the answer's warnings say so)",
    }),
    target_user: T.String({
      default: "",
      title: "Users (one text)",
      description: `${ONE_TEXT}; ignored when target_users is given`,
      ...synonymOf("target_users"),
    }),
    target_username: T.String({
      default: "",
      title: "Users (one text)",
      description: `${ONE_TEXT}, as target_user; ignored when target_users or target_user is given`,
      ...synonymOf("target_users"),
    }),
    access_method: choice(
      [
        ["direct", "Profile link"],
        ["search", "Search in the app"],
      ],
      {
        default: "direct",
        title: "How to reach each user",
        description: "Open the user's profile link, or find the user in the app's search",
      },
    ),
  },
  { additionalProperties: false },
);

export type FollowConfig = Static<typeof followConfig>;
