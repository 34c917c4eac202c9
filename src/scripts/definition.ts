// What a script declares: its config schema (defaults included), extra checks, how one request fans out into
// tasks, how long a run may take, and its flow on the phone. Each script's config is typed from its schema.
import type { Static, TObject } from "@sinclair/typebox";
import type { AccountTasks, CheckOutcome, Platform, PostRecord } from "../domain.ts";
import type { ErrorDetail } from "../errors.ts";
import type { ScriptContext, ScriptServices } from "./context.ts";

/** A script, its config typed from its own schema. */
export interface ScriptDefinition<Schema extends TObject = TObject> {
  name: string;
  description: string;
  configSchema: Schema;
  example: Partial<Static<Schema>>;
  /** Checks the schema cannot express (files on disk, fields required together). */
  check?(config: Static<Schema>, services: ScriptServices): ErrorDetail[] | Promise<ErrorDetail[]>;
  /** What the request should know of how its config was read (a field ignored for another), as sentences. */
  warnings?(config: Static<Schema>): string[];
  /** The app a config itself names (a comment's post link), used when the request names none. */
  platformOf?(config: Static<Schema>): Platform | undefined;
  /** Checks that depend on the app the tasks will run in (a TikTok-only field on Instagram). */
  checkPlatform?(config: Static<Schema>, platform: Platform): ErrorDetail[];
  /**
   * Checks that depend on the accounts the tasks run as (a post's files not posted yet by each), with how many
   * tasks each gets; a phone whose account in use was not read yet comes with username null.
   */
  checkAccounts?(
    config: Static<Schema>,
    accounts: AccountTasks[],
    services: ScriptServices,
  ): CheckOutcome | Promise<CheckOutcome>;
  /** One stored config per task on each device (e.g. one task per follow target). Default: one. */
  expand?(config: Static<Schema>): Static<Schema>[];
  /**
   * Whether the script acts in an app as an account (default true): the runner then puts the task's account
   * in use first, or reads which one is (see screen/accounts.ts). False for scripts about the phone.
   */
  usesAccount?: boolean;
  /** Longest a run with this config may take before it is aborted, in seconds. */
  maxDurationS(config: Static<Schema>): number;
  /**
   * How long a run with this config is expected to take, in seconds, when the config says so (a warmup's
   * task_duration). At shutdown, a run whose expected remainder exceeds the grace period is interrupted at
   * once rather than holding the exit for a grace it cannot finish in (an irreversible run keeps the grace).
   */
  expectedDurationS?(config: Static<Schema>): number;
  /** The flow on the phone. */
  run(ctx: ScriptContext<Static<Schema>>): Promise<void>;
  /**
   * A run cut off by a restart after its point of no return left `record` (a post: what it posted, outcome
   * `tapped`): look on the phone, as the task's account (put in use by `settle` itself), whether it happened; the record's new outcome, and
   * the screen that proved it. The runner calls it once the task's phone is back online.
   */
  settle?(
    ctx: ScriptContext<Static<Schema>>,
    record: PostRecord,
  ): Promise<{ record: PostRecord; screenshot?: Uint8Array }>;
}
