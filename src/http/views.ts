// What the API shows of stored rows, and the schemas that document those shapes.
import { Type as T } from "@sinclair/typebox";
import type { AccountWithDevice } from "../accounts/service.ts";
import type { FastUiStatus } from "../devices/fast-ui/manager.ts";
import type { DeviceRow } from "../devices/service.ts";
import {
  DEVICE_STATES,
  ERROR_CLASSES,
  FAILURE_REASONS,
  LOG_LEVELS,
  literalUnion,
  PLATFORMS,
  POST_OUTCOMES,
  PROOF_CHECKS,
  STATUS_TEXT,
  TASK_SOURCES,
  TRANSPORTS,
} from "../domain.ts";
import { maskSecrets } from "../secrets.ts";
import type { AccountRow } from "../store/schema.ts";
import type { TaskProgress } from "../tasks/progress.ts";
import type { TaskLogRow, TaskRow } from "../tasks/service.ts";
import { WAIT_REASONS, type WaitingFor } from "../tasks/waiting.ts";
import { named } from "./envelope.ts";

/** A stored time (ms since the epoch) as the API writes it; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
const Nullable = <S extends Parameters<typeof T.Union>[0][number]>(s: S) => T.Union([s, T.Null()]);
const DateTime = T.String({ format: "date-time" });

export const WaitingForSchema = T.Object(
  {
    reason: literalUnion(WAIT_REASONS, {
      description:
        "the first thing holding it back: adb_unreachable (the adb server does not answer), phone_offline, " +
        "phone_unauthorized (allow USB debugging on the phone), schedule (its start_time), interval " +
        "(min_interval/max_interval gap, or an automatic retry's delay), phone_busy (its phone runs another " +
        "task), plan_limit (the plan's phones-at-once are all busy), starting (nothing: it starts in a moment)",
    }),
    message: T.String({ description: "the same, as a sentence" }),
    scheduled_at: Nullable(T.String({ format: "date-time", description: "when it becomes due; null: now" })),
    task_ids: T.Array(T.Integer(), {
      description: "phone_busy: the phone's running task; plan_limit: the tasks holding the slots",
    }),
  },
  {
    description:
      "why a pending task has not started, worked out from the live state when the task is read; null unless pending",
  },
);

export const TaskProgressSchema = T.Object(
  {
    elapsed_s: T.Number({ minimum: 0, description: "seconds since it started, on the service's clock" }),
    fraction: Nullable(
      T.Number({
        minimum: 0,
        maximum: 1,
        description:
          "how much is done, 0 to 1, when there is an estimate (account_warmup: elapsed / task_duration; " +
          "post: the upload's percentage while it uploads)",
      }),
    ),
    step: Nullable(T.String({ description: "the step it is on, as its log names it" })),
    detail: Nullable(T.String({ description: 'what the script says of where it is, e.g. "upload 45%"' })),
  },
  {
    description:
      "how far a running task has got (kept in memory, live); null unless running. The event stream tells " +
      "a change of step or estimate at most once a second per task",
  },
);

export const PostResultSchema = T.Object(
  {
    outcome: literalUnion(POST_OUTCOMES, {
      description:
        "posted: seen on the account (status 2). unconfirmed: Post was tapped but the post was not seen on the " +
        "account in time (status 3, failure_reason unconfirmed): it may be up, so it is never retried " +
        "automatically and its files count as possibly posted. tapped: Post was tapped, not looked for yet " +
        "(a run cut off by a restart is looked for once its phone is back). verified_after_restart: such a " +
        "post was found (status becomes 2). not_found_after_restart: it was not (status stays 3)",
    }),
    message: T.String({ description: "the outcome in words, with what was seen" }),
    caption: T.String({ description: "the caption as typed (TikTok: the description); empty for a story" }),
    title: T.String({ description: "TikTok's title; empty for none" }),
    story: T.Boolean({ description: "an Instagram story" }),
    files: T.Array(T.String(), { description: "the files posted, as paths on this PC" }),
    proof: Nullable(
      T.Object({
        check: literalUnion(PROOF_CHECKS, {
          description:
            "caption: the newest post on the own profile has our caption (whitespace normalised; a caption the " +
            "app cut must match for its first 40 characters); story: the own story is shown",
        }),
        at: DateTime,
        seen: T.String({ description: "what was seen" }),
        screenshot: T.Boolean({ description: "the screen is kept: GET /task/{task_id}/proof" }),
      }),
    ),
  },
  {
    description:
      "a post task's record once Post was tapped: what it posted and whether it was seen; else null",
  },
);

export const TaskSchema = T.Object({
  id: T.Integer(),
  serial: T.String(),
  username: Nullable(
    T.String({ description: "the account, as @name; null in device mode without an account" }),
  ),
  platform: literalUnion(PLATFORMS),
  script_name: T.String(),
  script_config: T.Record(T.String(), T.Unknown(), {
    description:
      "the config as stored, defaults applied; secrets masked: api_key, and a URL's user:pass@ and query values",
  }),
  status: T.Integer({ minimum: 0, maximum: 3, description: "0 pending, 1 running, 2 completed, 3 failed" }),
  status_text: literalUnion(STATUS_TEXT),
  source: literalUnion(TASK_SOURCES),
  start_time: Nullable(T.String({ description: "HH:MM as given" })),
  scheduled_at: Nullable(DateTime),
  started_at: Nullable(DateTime),
  finished_at: Nullable(DateTime),
  retry_count: T.Integer(),
  error: Nullable(T.String({ description: "why it failed, a sentence" })),
  error_class: Nullable(
    literalUnion(ERROR_CLASSES, {
      description: "retryable failures (phone offline, timeout) may be retried automatically",
    }),
  ),
  failure_reason: Nullable(
    literalUnion(FAILURE_REASONS, {
      description:
        "why it failed: stopped (by the user), interrupted (the service stopped while it ran), offline, " +
        "timeout, script (the script's own failure), error, unconfirmed (Post was tapped but the post was not " +
        "seen on the account: it may be up; never retried automatically)",
    }),
  ),
  result: Nullable(PostResultSchema),
  created_at: DateTime,
  updated_at: DateTime,
  waiting_for: Nullable(WaitingForSchema),
  progress: Nullable(TaskProgressSchema),
  node: Nullable(
    T.String({
      description:
        "the farm's PC (--node) that started its latest run, kept after the run ends: where its evidence is; " +
        "null until it first runs (or run by this PC before the farm had nodes)",
    }),
  ),
});

export const TaskLogSchema = T.Object({
  at: DateTime,
  level: literalUnion(LOG_LEVELS),
  message: T.String(),
  duration_ms: Nullable(T.Integer()),
});

// the names the OpenAPI document gives these shapes
export const TaskRef = named("Task", TaskSchema);
export const TaskDetailRef = named(
  "TaskDetail",
  T.Intersect([
    TaskRef,
    T.Object({
      has_screenshot: T.Boolean({
        description: "a screenshot of the failure is kept (GET /task/{task_id}/screenshot)",
      }),
      logs: T.Array(named("TaskLog", TaskLogSchema)),
    }),
  ]),
);

/**
 * `waiting` is the task's waiting_for (see TaskService.waitingFor), null unless it is pending; `progress` its
 * progress (TaskService.progressOf), null unless it is running.
 */
export function taskView(row: TaskRow, waiting: WaitingFor | null, progress: TaskProgress | null) {
  return {
    id: row.id,
    serial: row.serial,
    username: row.username,
    platform: row.platform,
    script_name: row.scriptName,
    // secrets (a ChatGPT api_key, a base_url's ?key=) never leave the service: GET /task, the list and webhooks all come here
    script_config: maskSecrets(JSON.parse(row.scriptConfig) as Record<string, unknown>),
    status: row.status,
    status_text: STATUS_TEXT[row.status] ?? "pending",
    source: row.source,
    start_time: row.startTime,
    scheduled_at: iso(row.scheduledAt),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    retry_count: row.retryCount,
    error: row.error,
    error_class: row.errorClass,
    failure_reason: row.failureReason,
    result: row.result && {
      ...row.result,
      proof: row.result.proof && { ...row.result.proof, at: iso(row.result.proof.at) },
    },
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    waiting_for: waiting,
    progress,
    node: row.node,
  };
}

export function taskLogView(row: TaskLogRow) {
  return { at: iso(row.at), level: row.level, message: row.message, duration_ms: row.durationMs };
}

export const FastUiSchema = T.Object(
  {
    enabled: T.Boolean({
      description:
        "this phone reads its screens and taps through Appium's UiAutomator2 server (its own choice, else --fast-ui)",
    }),
    state: T.Union(
      [
        T.Literal("off"),
        T.Literal("starting"),
        T.Literal("ready"),
        T.Literal("fallback"),
        T.Literal("unknown"),
      ],
      {
        description:
          "off: not used (the phone is offline, or fast UI is not enabled); starting: being installed or started; " +
          "ready: reads and taps go through it; fallback: it failed, `uiautomator dump` and `input` serve (see " +
          "reason); unknown: another PC of the farm holds the phone and did not say within 5 s (enabled is then " +
          "false); a phone another PC holds is shown as that PC has it",
      },
    ),
    reason: Nullable(T.String({ description: "why it fell back; null otherwise" })),
    retry_at: Nullable(
      T.String({
        format: "date-time",
        description: "when a fallen-back server is tried again; null otherwise",
      }),
    ),
  },
  {
    description:
      "fast UI on this phone: Appium's UiAutomator2 server instead of `uiautomator dump` and `input`",
  },
);
export const FastUiRef = named("FastUi", FastUiSchema);

export function fastUiView(s: FastUiStatus) {
  return { enabled: s.enabled, state: s.state, reason: s.reason, retry_at: iso(s.retryAt) };
}

/** The status back from its view (another PC's answer). */
export function fastUiStatus(v: ReturnType<typeof fastUiView>): FastUiStatus {
  return {
    enabled: v.enabled,
    state: v.state,
    reason: v.reason,
    retryAt: v.retry_at ? Date.parse(v.retry_at) : null,
  };
}

export type DeviceView = ReturnType<typeof deviceView>;

const FAST_UI_OFF: FastUiStatus = { enabled: false, state: "off", reason: null, retryAt: null };

export const EXAMPLE_FAST_UI = { enabled: true, state: "ready", reason: null, retry_at: null };

export const DeviceSchema = T.Object({
  serial: T.String(),
  state: literalUnion(DEVICE_STATES),
  transport: literalUnion(TRANSPORTS),
  hardware_serial: Nullable(
    T.String({
      description: "the phone's own serial (ro.serialno); a network phone's serial is its address",
    }),
  ),
  model: Nullable(T.String()),
  brand: Nullable(T.String()),
  android_version: Nullable(T.String()),
  sdk: Nullable(T.Integer()),
  screen: Nullable(T.Object({ width: T.Integer(), height: T.Integer() })),
  battery: Nullable(T.Integer({ minimum: 0, maximum: 100 })),
  hint: Nullable(T.String({ description: "what to do when the phone is not usable" })),
  running_task_id: Nullable(T.Integer()),
  queued_count: T.Integer({ description: "pending tasks for this phone" }),
  first_seen: DateTime,
  last_seen: DateTime,
  fast_ui: FastUiRef,
  node: Nullable(
    T.String({
      description:
        "the farm's PC (--node) that holds the phone: the last to see it online, whose view `state` shows; " +
        "null: this PC, from before the farm had nodes",
    }),
  ),
});

export const DeviceRef = named("Device", DeviceSchema);

export function deviceView(
  row: DeviceRow,
  load: { running: number | null; queued: number } | undefined,
  fastUi: FastUiStatus = FAST_UI_OFF,
) {
  return {
    serial: row.serial,
    state: row.state,
    transport: row.transport,
    hardware_serial: row.hardwareSerial,
    model: row.model,
    brand: row.brand,
    android_version: row.androidVersion,
    sdk: row.sdk,
    screen:
      row.screenWidth !== null && row.screenHeight !== null
        ? { width: row.screenWidth, height: row.screenHeight }
        : null,
    battery: row.battery,
    hint: row.hint,
    running_task_id: load?.running ?? null,
    queued_count: load?.queued ?? 0,
    first_seen: iso(row.firstSeen),
    last_seen: iso(row.lastSeen),
    fast_ui: fastUiView(fastUi),
    node: row.node,
  };
}

const LoginedText = T.Union([T.Literal("logged_in"), T.Literal("not_logged_in"), T.Literal("unknown")], {
  description:
    "unknown: registered by hand and not yet seen on its phone (match_accounts or a task confirms it)",
});
const LastSeenAt = Nullable(
  T.String({ format: "date-time", description: "when a phone last showed it logged in; null: never" }),
);

/** What a phone's screen last said of an account; a hand-typed one is unknown until then. */
function loginedText(row: { logined: number; lastSeenAt: number | null }) {
  if (row.logined !== 1) return "not_logged_in" as const;
  return row.lastSeenAt === null ? ("unknown" as const) : ("logged_in" as const);
}

/** An account as a phone lists it. */
export const DeviceAccountSchema = T.Object({
  id: T.Integer(),
  username: T.String(),
  platform: literalUnion(PLATFORMS),
  packagename: Nullable(T.String()),
  logined: T.Integer({ minimum: 0, maximum: 1 }),
  logined_text: LoginedText,
  last_seen_at: LastSeenAt,
});

export function deviceAccountView(row: AccountRow) {
  return {
    id: row.id,
    username: row.username,
    platform: row.platform,
    packagename: row.packagename,
    logined: row.logined,
    logined_text: loginedText(row),
    last_seen_at: iso(row.lastSeenAt),
  };
}

export const DeviceDetailRef = named(
  "DeviceDetail",
  T.Composite([DeviceSchema, T.Object({ accounts: T.Array(DeviceAccountSchema) })]),
);

export const AccountSchema = T.Object({
  id: T.Integer(),
  username: T.String(),
  email: Nullable(T.String()),
  platform: literalUnion(PLATFORMS),
  packagename: Nullable(T.String({ description: "null = the platform's default app" })),
  device: T.String({ description: "serial of the phone the account lives on" }),
  device_online: T.Boolean(),
  device_name: Nullable(T.String()),
  logined: T.Integer({ minimum: 0, maximum: 1 }),
  logined_text: LoginedText,
  status: T.Integer({ minimum: 0, maximum: 1 }),
  status_text: T.Union([T.Literal("enabled"), T.Literal("disabled")]),
  tags: T.Array(T.String()),
  last_seen_at: LastSeenAt,
});

export const AccountRef = named("Account", AccountSchema);

/** The password is never part of it. */
export function accountView(row: AccountWithDevice) {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    platform: row.platform,
    packagename: row.packagename,
    device: row.device,
    device_online: row.deviceState === "online",
    device_name: row.deviceModel,
    logined: row.logined,
    logined_text: loginedText(row),
    status: row.status,
    status_text: row.status === 1 ? ("enabled" as const) : ("disabled" as const),
    tags: JSON.parse(row.tags) as string[],
    last_seen_at: iso(row.lastSeenAt),
  };
}

export const EXAMPLE_TASK = {
  id: 101,
  serial: "R58M123ABC",
  username: "@alice",
  platform: "tiktok",
  script_name: "post",
  script_config: {
    content_type: 0,
    captions: "Check my new video! #viral",
    material_list: ["/home/farm/videos/video1.mp4"],
    upload_wait_time: 60,
  },
  status: 0,
  status_text: "pending",
  source: "api",
  start_time: "14:30",
  scheduled_at: "2026-11-28T14:30:00.000Z",
  started_at: null,
  finished_at: null,
  retry_count: 0,
  error: null,
  error_class: null,
  failure_reason: null,
  result: null,
  created_at: "2026-11-28T09:12:44.120Z",
  updated_at: "2026-11-28T09:12:44.120Z",
  waiting_for: {
    reason: "schedule",
    message: "due at 2026-11-28 14:30 UTC (start_time 14:30)",
    scheduled_at: "2026-11-28T14:30:00.000Z",
    task_ids: [],
  },
  progress: null,
  node: null,
};

export const EXAMPLE_DEVICE = {
  serial: "R58M123ABC",
  state: "online",
  transport: "usb",
  hardware_serial: "R58M123ABC",
  model: "SM-A515F",
  brand: "samsung",
  android_version: "13",
  sdk: 33,
  screen: { width: 1080, height: 2400 },
  battery: 87,
  hint: null,
  running_task_id: 101,
  queued_count: 3,
  first_seen: "2026-11-20T08:00:00.000Z",
  last_seen: "2026-11-28T09:12:44.120Z",
  fast_ui: EXAMPLE_FAST_UI,
  node: "pc-1",
};

export const EXAMPLE_DEVICE_ACCOUNT = {
  id: 7,
  username: "alice",
  platform: "tiktok",
  packagename: "com.zhiliaoapp.musically",
  logined: 1,
  logined_text: "logged_in",
  last_seen_at: "2026-11-28T09:10:02.000Z",
};

export const EXAMPLE_ACCOUNT = {
  id: 7,
  username: "alice",
  email: "alice@example.com",
  platform: "tiktok",
  packagename: null,
  device: "R58M123ABC",
  device_online: true,
  device_name: "SM-A515F",
  logined: 1,
  logined_text: "logged_in",
  status: 1,
  status_text: "enabled",
  tags: ["warm", "eu"],
  last_seen_at: "2026-11-28T09:10:02.000Z",
};
