// The domain's words, typed once: the store's columns, the API's schemas and the scripts all use these.
import { type SchemaOptions, Type as T, type TLiteral, type TUnion } from "@sinclair/typebox";
import type { ErrorDetail } from "./errors.ts";

export const PLATFORMS = ["tiktok", "instagram"] as const;
/** The app a script works in. */
export type Platform = (typeof PLATFORMS)[number];

export const TaskStatus = { pending: 0, running: 1, completed: 2, failed: 3 } as const;
export type TaskStatusValue = (typeof TaskStatus)[keyof typeof TaskStatus];
export const STATUS_TEXT = ["pending", "running", "completed", "failed"] as const;
export type TaskStatusText = (typeof STATUS_TEXT)[number];

export const ERROR_CLASSES = ["retryable", "permanent"] as const;
/** `retryable` failures may be tried again automatically; `permanent` ones never. */
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export const FAILURE_REASONS = [
  "stopped",
  "interrupted",
  "offline",
  "timeout",
  "script",
  "error",
  "unconfirmed",
] as const;
/**
 * Why a run ended badly. The reasons the service acts on are named; anything else is a script's or an error's
 * own words. `unconfirmed`: Post was tapped but the post was not seen on the account (it may be up).
 */
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const LOG_LEVELS = ["info", "warn", "error"] as const;
/** How a line of a task's log reads. */
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEVICE_STATES = ["online", "offline", "unauthorized"] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

export const TRANSPORTS = ["usb", "tcp", "direct"] as const;
/** How the service reaches a phone: through the adb server (USB or network) or straight over TCP. */
export type Transport = (typeof TRANSPORTS)[number];

export const TASK_SOURCES = ["api", "ui"] as const;
/** Who created a task: an API client or the dashboard. */
export type TaskSource = (typeof TASK_SOURCES)[number];

/** A username as typed by a person: surrounding spaces and one leading "@" are not part of it. */
export const bareUsername = (name: string): string => name.trim().replace(/^@/, "");

/** The JSON Schema of one of these lists (e.g. `literalUnion(PLATFORMS)`), for request and response bodies. */
export const literalUnion = <const L extends readonly string[]>(values: L, options?: SchemaOptions) =>
  // typed as a union of one member, the list's own union: TypeBox reads a union's type from a tuple of members
  T.Union(
    values.map((v) => T.Literal(v as L[number])),
    options,
  ) as unknown as TUnion<[TLiteral<L[number]>]>;

/** Some of one request's tasks that run as one account: on `serial`, as `username` (null: the account in use
 * there, not read yet). */
export interface AccountTasks {
  serial: string;
  username: string | null;
  tasks: number;
  /** The configs of the account's tasks of the same script queued before (pending or running). */
  queued: Record<string, unknown>[];
}

/** What a check at creation found: issues refuse the request, warnings go with its answer. */
export interface CheckOutcome {
  issues: ErrorDetail[];
  warnings: string[];
}

export const POST_OUTCOMES = [
  "tapped",
  "posted",
  "unconfirmed",
  "verified_after_restart",
  "not_found_after_restart",
] as const;
/**
 * Where a post stands: `tapped` (Post was tapped, no proof looked for yet: a run cut off there is checked once
 * its phone is back), `posted` (seen on the account), `unconfirmed` (not seen within the wait),
 * `verified_after_restart` / `not_found_after_restart` (the check of a run cut off by a restart).
 */
export type PostOutcome = (typeof POST_OUTCOMES)[number];

export const PROOF_CHECKS = ["caption", "story"] as const;
/** How a post was seen: the newest item of the own profile has its caption, or the own story is shown. */
export type ProofCheck = (typeof PROOF_CHECKS)[number];

/** A post seen on its account. */
export interface PostProof {
  check: ProofCheck;
  /** When it was seen (ms, the service's clock). */
  at: number;
  /** What was seen: the caption as the app showed it, or the story's owner. */
  seen: string;
  /** A screenshot of it is kept (GET /task/{id}/proof). */
  screenshot: boolean;
}

/**
 * What a post task recorded (the task's `result`): what it posted, so that it can be looked for on the
 * account even after a restart, and whether it was seen there.
 */
export interface PostRecord {
  outcome: PostOutcome;
  /** The outcome in words. */
  message: string;
  /** The caption as typed (TikTok: the description), "" for none or a story. */
  caption: string;
  /** TikTok's title, "" for none. */
  title: string;
  story: boolean;
  /** The files posted, as paths on this PC. */
  files: string[];
  proof: PostProof | null;
}
