// The match_accounts script's config: nothing to set (it reads every installed app).
import { type Static, Type as T } from "@sinclair/typebox";

export const matchConfig = T.Object({}, { additionalProperties: false });
export type MatchConfig = Static<typeof matchConfig>;
