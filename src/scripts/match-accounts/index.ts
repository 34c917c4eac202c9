/** `match_accounts` (ours): which accounts are logged in on each phone, recorded in the accounts table. */
import type { ScriptDefinition } from "../definition.ts";
import { matchConfig } from "./config.ts";
import { matchFlow } from "./flow.ts";

export const matchAccounts: ScriptDefinition<typeof matchConfig> = {
  name: "match_accounts",
  description:
    "Read which accounts are logged in on each phone's TikTok and Instagram (through the apps' account switchers) and record them in the accounts table",
  configSchema: matchConfig,
  example: {},
  usesAccount: false,
  maxDurationS: () => 300,
  run: matchFlow,
};
