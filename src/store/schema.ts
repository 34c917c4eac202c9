// The database: tasks and their logs, the phones seen, the accounts on them, the material library.
// Times are stored as integer milliseconds since the epoch (UTC).
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type {
  DeviceState,
  ErrorClass,
  FailureReason,
  LogLevel,
  Platform,
  PostRecord,
  TaskSource,
  TaskStatusValue,
  Transport,
} from "../domain.ts";

export const tasks = sqliteTable(
  "tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    serial: text("serial").notNull(),
    username: text("username"),
    accountId: integer("account_id"),
    platform: text("platform").$type<Platform>().notNull().default("tiktok"),
    scriptName: text("script_name").notNull(),
    scriptConfig: text("script_config").notNull(),
    status: integer("status").$type<TaskStatusValue>().notNull().default(0),
    source: text("source").$type<TaskSource>().notNull().default("api"),
    startTime: text("start_time"),
    scheduledAt: integer("scheduled_at"),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    retryCount: integer("retry_count").notNull().default(0),
    error: text("error"),
    /** Set with error. */
    errorClass: text("error_class").$type<ErrorClass>(),
    /** Set with error: the typed reason the service acts on (a retry-all skips tasks stopped by the user). */
    failureReason: text("failure_reason").$type<FailureReason>(),
    /**
     * What the latest run did that must not happen twice ("Post was tapped"), written the moment it happened,
     * so it survives a crash; null until then. A retry of such a failure may publish twice.
     */
    irreversible: text("irreversible"),
    /** The node (PC) that started its latest run: where its evidence is, and who can stop it. */
    node: text("node"),
    /** A post's record (what it posted, whether it was seen on the account); null for other scripts. */
    result: text("result", { mode: "json" }).$type<PostRecord>(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("tasks_created").on(t.createdAt, t.id),
    index("tasks_status_created").on(t.status, t.createdAt, t.id),
    index("tasks_serial_created").on(t.serial, t.createdAt, t.id),
    index("tasks_script_created").on(t.scriptName, t.createdAt, t.id),
    index("tasks_source_created").on(t.source, t.createdAt, t.id),
    // two filters at once: both equalities in the index, so a page and its count read only matching rows
    index("tasks_serial_status_created").on(t.serial, t.status, t.createdAt, t.id),
    index("tasks_serial_script_created").on(t.serial, t.scriptName, t.createdAt, t.id),
    index("tasks_status_source_created").on(t.status, t.source, t.createdAt, t.id),
    // the runner: due pending tasks per phone, first due first
    index("tasks_queue").on(t.status, t.serial, t.scheduledAt, t.id),
    // the scheduler: when does the next pending task become due
    index("tasks_due").on(t.status, t.scheduledAt),
  ],
);

/** Live counts per status, kept exact by triggers (see the custom migration), so stats never scan. */
export const taskCounts = sqliteTable("task_counts", {
  status: integer("status").primaryKey(),
  n: integer("n").notNull().default(0),
});

/** Live counts per (status, source), kept exact by triggers like task_counts, so filtered totals never scan. */
export const taskSourceCounts = sqliteTable(
  "task_source_counts",
  {
    status: integer("status").notNull(),
    source: text("source").$type<TaskSource>().notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.status, t.source] })],
);

export const taskLogs = sqliteTable(
  "task_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    level: text("level").$type<LogLevel>().notNull(),
    message: text("message").notNull(),
    durationMs: integer("duration_ms"),
  },
  (t) => [index("task_logs_task").on(t.taskId, t.id)],
);

export const devices = sqliteTable("devices", {
  serial: text("serial").primaryKey(),
  transport: text("transport").$type<Transport>().notNull(),
  state: text("state").$type<DeviceState>().notNull(),
  model: text("model"),
  brand: text("brand"),
  androidVersion: text("android_version"),
  sdk: integer("sdk"),
  screenWidth: integer("screen_width"),
  screenHeight: integer("screen_height"),
  battery: integer("battery"),
  hint: text("hint"),
  /** `ro.serialno` of the phone this serial belongs to: a network serial is only an address. */
  hardwareSerial: text("hardware_serial"),
  /** The node (PC) that reported it last, whose state it shows; null: this PC, before the farm had nodes. */
  node: text("node"),
  /** Attached for one run only (demo phones): forgotten at the next start, never attached again. */
  ephemeral: integer("ephemeral", { mode: "boolean" }).notNull().default(false),
  firstSeen: integer("first_seen").notNull(),
  lastSeen: integer("last_seen").notNull(),
});

export const accounts = sqliteTable(
  "accounts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    platform: text("platform").$type<Platform>().notNull(),
    packagename: text("packagename"),
    device: text("device").notNull(),
    email: text("email"),
    password: text("password"),
    logined: integer("logined").notNull().default(1),
    status: integer("status").notNull().default(1),
    tags: text("tags").notNull().default("[]"),
    /** When a phone last showed it signed in (match_accounts, a switch); null: never confirmed (typed in by hand). */
    lastSeenAt: integer("last_seen_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("accounts_platform_username").on(t.platform, sql`lower(${t.username})`),
    index("accounts_device").on(t.device),
  ],
);

/** Small facts about this installation, by name (e.g. the latest time the service has seen). */
export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/** The material library: files registered by path (the user's) or uploaded into the data folder (ours). */
export const materials = sqliteTable(
  "materials",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Absolute path on this PC, in the form of the system the service runs on. */
    path: text("path").notNull(),
    /** The file's name as the user knows it (an upload keeps its original name here). */
    name: text("name").notNull(),
    /** "video" | "image". */
    kind: text("kind").notNull(),
    /** "mp4" | "mov" | "jpg" | "jpeg" | "png" | "webp". */
    format: text("format").notNull(),
    size: integer("size").notNull(),
    /** JSON array of strings. */
    tags: text("tags").notNull().default("[]"),
    /** 1 when the file is our own copy in the data folder (deleted with the row), 0 for the user's file. */
    uploaded: integer("uploaded").notNull().default(0),
    /** The node (PC) whose disk has the file; null: this PC, before the farm had nodes. */
    node: text("node"),
    /** SHA-256 of the content (hex), known once computed: the name another node caches the file under. */
    sha256: text("sha256"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("materials_path").on(t.path), index("materials_kind_name").on(t.kind, t.name, t.id)],
);

/**
 * Which account posted which file, when: keyed by path, so files from a local folder or a material_list
 * are remembered too. A task without an account is remembered by its phone (username null).
 */
export const materialUses = sqliteTable(
  "material_uses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    path: text("path").notNull(),
    /** Without "@", as the task named it; null in device mode without accounts. */
    username: text("username"),
    serial: text("serial").notNull(),
    taskId: integer("task_id"),
    at: integer("at").notNull(),
    /** False while the post is not seen on the account: possibly posted (Post was tapped, no proof yet). */
    confirmed: integer("confirmed", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [index("material_uses_path").on(t.path, t.username)],
);

/** Where each set of caption lines is in its rotation, so it continues across requests and restarts. */
export const captionRotation = sqliteTable("caption_rotation", {
  /** A hash of the caption lines. */
  key: text("key").primaryKey(),
  /** How many captions were handed out from this set. */
  used: integer("used").notNull().default(0),
});

/**
 * Empty between health probes: a degraded store's probe writes a row with a blob here and deletes it, a
 * write that needs real space (a full disk refuses it), unlike a pragma rewriting a page already there.
 */
export const storageProbe = sqliteTable("storage_probe", {
  id: integer("id").primaryKey(),
  pad: blob("pad").notNull(),
});

/**
 * The farm's PCs (nodes), each by its name (`--node`): when it started and when it last said it was alive.
 * On SQLite the one PC is the one node.
 */
export const nodes = sqliteTable("nodes", {
  name: text("name").primaryKey(),
  version: text("version").notNull(),
  startedAt: integer("started_at").notNull(),
  heartbeatAt: integer("heartbeat_at").notNull(),
  /** Where the other nodes reach its API (http://host:port); null when it listens on this PC only. */
  url: text("url"),
});

/**
 * Who runs each phone: the node holding its lease runs its tasks, one at a time. A claim locks the phone's
 * row (on PostgreSQL `FOR UPDATE SKIP LOCKED`: a phone being claimed elsewhere is skipped, not waited for).
 */
export const phoneLeases = sqliteTable("phone_leases", {
  serial: text("serial").primaryKey(),
  /** The node running a task on it; null: free. */
  node: text("node"),
  taskId: integer("task_id"),
  leasedAt: integer("leased_at"),
});

export type TaskRow = typeof tasks.$inferSelect;
export type TaskLogRow = typeof taskLogs.$inferSelect;
export type DeviceRow = typeof devices.$inferSelect;
export type AccountRow = typeof accounts.$inferSelect;
export type MaterialRow = typeof materials.$inferSelect;
export type MaterialUseRow = typeof materialUses.$inferSelect;
export type NodeRow = typeof nodes.$inferSelect;
