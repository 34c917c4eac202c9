// The same database on PostgreSQL (a farm of several PCs, `--database postgres://…`): the tables, columns,
// keys and indexes of schema.ts, in Postgres's types. drizzle has no schema shared by two dialects, so this
// file mirrors schema.ts column for column, and test/unit/schema-parity.test.ts holds the two equal (names,
// nullability, defaults, keys, indexes). Times are integer milliseconds (bigint, read as numbers); the
// booleans of schema.ts are booleans; a post's record is JSON text, as in SQLite. SQLite's storage_probe has no counterpart:
// a full disk on the database server is the server's to report.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
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

const ms = (name: string) => bigint(name, { mode: "number" });
/**
 * JSON kept as text, as SQLite keeps it (drizzle's jsonb over Bun's client stores a JSON string inside the
 * JSON); queries read into it with `::jsonb` (see jsonKey in db.ts).
 */
const jsonText = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => "text",
    toDriver: (value) => JSON.stringify(value),
    fromDriver: (value) => JSON.parse(value) as T,
  })(name);
const id = () => integer("id").primaryKey().generatedByDefaultAsIdentity();

export const tasks = pgTable(
  "tasks",
  {
    id: id(),
    serial: text("serial").notNull(),
    username: text("username"),
    accountId: integer("account_id"),
    platform: text("platform").$type<Platform>().notNull().default("tiktok"),
    scriptName: text("script_name").notNull(),
    scriptConfig: text("script_config").notNull(),
    status: integer("status").$type<TaskStatusValue>().notNull().default(0),
    source: text("source").$type<TaskSource>().notNull().default("api"),
    startTime: text("start_time"),
    scheduledAt: ms("scheduled_at"),
    startedAt: ms("started_at"),
    finishedAt: ms("finished_at"),
    retryCount: integer("retry_count").notNull().default(0),
    error: text("error"),
    errorClass: text("error_class").$type<ErrorClass>(),
    failureReason: text("failure_reason").$type<FailureReason>(),
    irreversible: text("irreversible"),
    /** The node (PC) that started its latest run: where its evidence is, and who can stop it. */
    node: text("node"),
    result: jsonText<PostRecord>("result"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [
    index("tasks_created").on(t.createdAt, t.id),
    index("tasks_status_created").on(t.status, t.createdAt, t.id),
    index("tasks_serial_created").on(t.serial, t.createdAt, t.id),
    index("tasks_script_created").on(t.scriptName, t.createdAt, t.id),
    index("tasks_source_created").on(t.source, t.createdAt, t.id),
    index("tasks_serial_status_created").on(t.serial, t.status, t.createdAt, t.id),
    index("tasks_serial_script_created").on(t.serial, t.scriptName, t.createdAt, t.id),
    index("tasks_status_source_created").on(t.status, t.source, t.createdAt, t.id),
    index("tasks_queue").on(t.status, t.serial, t.scheduledAt, t.id),
    index("tasks_due").on(t.status, t.scheduledAt),
  ],
);

/** Live counts per status, kept exact by triggers (see the custom migration in drizzle-pg/). */
export const taskCounts = pgTable("task_counts", {
  status: integer("status").primaryKey(),
  n: integer("n").notNull().default(0),
});

export const taskSourceCounts = pgTable(
  "task_source_counts",
  {
    status: integer("status").notNull(),
    source: text("source").$type<TaskSource>().notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.status, t.source] })],
);

export const taskLogs = pgTable(
  "task_logs",
  {
    id: id(),
    taskId: integer("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    at: ms("at").notNull(),
    level: text("level").$type<LogLevel>().notNull(),
    message: text("message").notNull(),
    durationMs: integer("duration_ms"),
  },
  (t) => [index("task_logs_task").on(t.taskId, t.id)],
);

export const devices = pgTable("devices", {
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
  hardwareSerial: text("hardware_serial"),
  /** The node (PC) that reported it last, whose state it shows; null: this PC, before the farm had nodes. */
  node: text("node"),
  ephemeral: boolean("ephemeral").notNull().default(false),
  firstSeen: ms("first_seen").notNull(),
  lastSeen: ms("last_seen").notNull(),
});

export const accounts = pgTable(
  "accounts",
  {
    id: id(),
    username: text("username").notNull(),
    platform: text("platform").$type<Platform>().notNull(),
    packagename: text("packagename"),
    device: text("device").notNull(),
    email: text("email"),
    password: text("password"),
    logined: integer("logined").notNull().default(1),
    status: integer("status").notNull().default(1),
    tags: text("tags").notNull().default("[]"),
    lastSeenAt: ms("last_seen_at"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("accounts_platform_username").on(t.platform, sql`lower(${t.username})`),
    index("accounts_device").on(t.device),
  ],
);

export const meta = pgTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const materials = pgTable(
  "materials",
  {
    id: id(),
    path: text("path").notNull(),
    name: text("name").notNull(),
    kind: text("kind").notNull(),
    format: text("format").notNull(),
    size: ms("size").notNull(),
    tags: text("tags").notNull().default("[]"),
    uploaded: integer("uploaded").notNull().default(0),
    /** The node (PC) whose disk has the file; null: this PC, before the farm had nodes. */
    node: text("node"),
    /** SHA-256 of the content (hex), known once computed: the name another node caches the file under. */
    sha256: text("sha256"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [uniqueIndex("materials_path").on(t.path), index("materials_kind_name").on(t.kind, t.name, t.id)],
);

export const materialUses = pgTable(
  "material_uses",
  {
    id: id(),
    path: text("path").notNull(),
    username: text("username"),
    serial: text("serial").notNull(),
    taskId: integer("task_id"),
    at: ms("at").notNull(),
    confirmed: boolean("confirmed").notNull().default(true),
  },
  (t) => [index("material_uses_path").on(t.path, t.username)],
);

export const captionRotation = pgTable("caption_rotation", {
  key: text("key").primaryKey(),
  used: integer("used").notNull().default(0),
});

export const nodes = pgTable("nodes", {
  name: text("name").primaryKey(),
  version: text("version").notNull(),
  startedAt: ms("started_at").notNull(),
  heartbeatAt: ms("heartbeat_at").notNull(),
  /** Where the other nodes reach its API (http://host:port); null when it listens on this PC only. */
  url: text("url"),
});

export const phoneLeases = pgTable("phone_leases", {
  serial: text("serial").primaryKey(),
  node: text("node"),
  taskId: integer("task_id"),
  leasedAt: ms("leased_at"),
});
