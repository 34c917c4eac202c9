// The database handle: pragmas, embedded migrations, clean close.
import { Database } from "bun:sqlite";
import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { SQL as BunSQL } from "bun";
import { is, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { type BunSQLDatabase, drizzle as drizzlePg } from "drizzle-orm/bun-sql";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { PgDatabase, type PgDialect } from "drizzle-orm/pg-core";
import type { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { maskDatabaseUrl } from "../config.ts";
import { type Logger, silentLogger } from "../log.ts";
import { embeddedMigrations, embeddedPgMigrations } from "./migrations.macro.ts" with { type: "macro" };
import * as schema from "./schema.ts";
import * as pgSchema from "./schema-pg.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };
/** The farm's PostgreSQL database (`--database postgres://…`). */
export type PgDb = BunSQLDatabase<typeof pgSchema> & { $client: BunSQL };
/** Either database: what the stores are given. */
export type AnyDb = Db | PgDb;

/**
 * What the stores query through, on either database. `q` and `t` are typed as SQLite's (one set of types for
 * the stores' code); on PostgreSQL they are its drizzle database and tables, which build the same queries in
 * its dialect. The stores therefore only ever await a query (never SQLite's sync `.get()/.all()/.run()`
 * outside `sqlite`-only paths): both dialects' builders are promises of their rows.
 */
export interface Handle {
  dialect: "sqlite" | "pg";
  q: Db;
  t: typeof schema;
  /** The SQLite database, when that is the dialect (its synchronous calls and transactions). */
  sqlite: Db | null;
}

const handles = new WeakMap<object, Handle>();

/** The handle of a database (one per database, so the stores share it). */
export function handleOf(db: AnyDb): Handle {
  let h = handles.get(db);
  if (!h) {
    h = isPg(db)
      ? { dialect: "pg", q: db as unknown as Db, t: pgSchema as unknown as typeof schema, sqlite: null }
      : { dialect: "sqlite", q: db, t: schema, sqlite: db };
    handles.set(db, h);
  }
  return h;
}

export function isPg(db: AnyDb): db is PgDb {
  return is(db, PgDatabase);
}

/** The PostgreSQL server cannot be reached, or refused us: the message names it (never its password). */
export class DatabaseUnreachable extends Error {
  constructor(url: string, reason: string) {
    const password = URL.canParse(url) ? decodeURIComponent(new URL(url).password) : "";
    const said = password ? reason.replaceAll(password, "***") : reason;
    super(`the database ${maskDatabaseUrl(url)} cannot be used (${said}): check that it runs and the URL`);
  }
}

/** Any two farm-tasks starting at once: one migrates, the other waits (a number of our own for the lock). */
const MIGRATION_LOCK = 50809;

/** Connects to the farm's PostgreSQL and brings its tables up to date (the migrations in drizzle-pg/). */
export async function openPostgres(url: string): Promise<PgDb> {
  const client = new Bun.SQL(url, { max: 10, connectionTimeout: 10, idleTimeout: 60 });
  const db = drizzlePg({ client, schema: pgSchema });
  let reserved: Awaited<ReturnType<BunSQL["reserve"]>> | null = null;
  try {
    reserved = await client.reserve();
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK})`;
    const migrations = embeddedPgMigrations() as MigrationMeta[];
    // what drizzle's own migrate() does, fed with the migrations embedded at build time
    const internals = drizzlePg({ client: reserved as unknown as BunSQL }) as unknown as {
      dialect: PgDialect;
      session: Parameters<PgDialect["migrate"]>[1];
    };
    await internals.dialect.migrate(migrations, internals.session, { migrationsFolder: "(embedded)" });
    await reserved`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } catch (e) {
    reserved?.release();
    reserved = null;
    await client.close().catch(() => {});
    throw new DatabaseUnreachable(url, (e as Error).message ?? String(e));
  } finally {
    reserved?.release();
  }
  return db;
}

/** Closes either database (SQLite: see closeDb; PostgreSQL: its connections). */
export async function closeStore(db: AnyDb): Promise<void> {
  if (isPg(db)) await db.$client.close();
  else closeDb(db);
}

/** The database file fails SQLite's integrity check: the service must not write into it. */
export class DatabaseDamaged extends Error {
  constructor(file: string, problem: string) {
    const first = problem.replace(/\*\*\* in database \w+ \*\*\*\s*/, "").split("\n")[0];
    super(`${file} is damaged (${first}): restore it from a backup or move it away`);
  }
}

/** Another process holds the database (on a data folder: another farm-tasks). */
export class DatabaseLocked extends Error {
  constructor(file: string) {
    super(`${file} is in use by another process`);
  }
}

export function openDb(file: string): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { create: true, strict: true });
  lockExclusively(sqlite, file);
  // before anything writes: a damaged file is refused, not patched over
  const check = sqlite.query<{ quick_check: string }, []>("PRAGMA quick_check(1)").get();
  if (check && check.quick_check !== "ok") {
    sqlite.close();
    throw new DatabaseDamaged(file, check.quick_check);
  }
  sqlite.exec("PRAGMA journal_mode = WAL");
  // FULL: a commit the API acknowledges is on disk through a power cut, not only through a crash (NORMAL
  // in WAL mode may lose the last commits); its cost is in bench/api.ts
  sqlite.exec("PRAGMA synchronous = FULL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  const db = drizzle({ client: sqlite, schema });
  const migrations = embeddedMigrations() as MigrationMeta[];
  // what drizzle's own migrate() does, fed with the migrations embedded at build time
  const internals = db as unknown as {
    dialect: SQLiteSyncDialect;
    session: Parameters<SQLiteSyncDialect["migrate"]>[1];
  };
  internals.dialect.migrate(migrations, internals.session, { migrationsFolder: "(embedded)" });
  return db;
}

/**
 * One process per database: SQLite's exclusive lock, taken before the first read and held until close (the
 * OS drops it with the process). Set before WAL is first used, it also keeps WAL's index in this process's
 * memory (no -shm file). No busy wait (SQLite's default timeout is 0): a holder never lets go while it runs.
 */
function lockExclusively(sqlite: Database, file: string): void {
  sqlite.exec("PRAGMA locking_mode = EXCLUSIVE");
  try {
    sqlite.exec("BEGIN EXCLUSIVE");
    sqlite.exec("COMMIT");
  } catch (e) {
    sqlite.close();
    if ((e as { code?: string }).code === "SQLITE_BUSY") throw new DatabaseLocked(file);
    throw e;
  }
}

export function closeDb(db: Db): void {
  try {
    db.$client.exec("PRAGMA optimize");
  } catch {
    // a full or failing disk must not keep the database from closing; the statistics can wait
  }
  // throwOnError: finalizes the statements still prepared, so the lock goes now (not when they are collected)
  db.$client.close(true);
}

interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

/** A file's identity (device and inode); null when it is not there, "unknown" when it cannot be read. */
export function fileIdentity(file: string): FileIdentity | null | "unknown" {
  try {
    const { dev, ino } = statSync(file, { bigint: true });
    return { dev, ino };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    // a file we cannot stat for another reason (permissions, a busy share) is not known to be gone
    return "unknown";
  }
}

/**
 * Whether `now` is still the file that was opened. Some Windows file systems report inode 0: there only
 * its presence is compared (an open file cannot be deleted there anyway).
 */
export function sameFile(opened: FileIdentity, now: FileIdentity | null | "unknown"): boolean {
  if (now === "unknown") return true;
  if (now === null) return false;
  if (opened.ino === 0n || now.ino === 0n) return true;
  return opened.dev === now.dev && opened.ino === now.ino;
}

const PROBE_BYTES = 64 * 1024;

/**
 * Whether writes reach the disk. Degraded from a failed write (full disk, I/O error) until a probe write
 * that needs space succeeds; broken for good once the database file is no longer the one opened (the data
 * folder was removed or replaced: what is written then is lost, so writes are refused until a restart).
 */
export class StorageHealth implements Storage {
  private failedWith: string | null = null;
  private goneWith: string | null = null;
  private readonly opened: FileIdentity | null;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly file: string,
    private readonly log: Logger = silentLogger,
  ) {
    const opened = file === ":memory:" ? null : fileIdentity(file);
    this.opened = opened === "unknown" ? null : opened;
  }

  /** The operator's words for a storage failure, which marks the database degraded; null for other errors. */
  failure(error: unknown): string | null {
    const code = String((error as { code?: unknown })?.code ?? "");
    let message: string;
    if (code === "SQLITE_FULL" || code === "ENOSPC")
      message = `the disk holding DATA_DIR (${this.dataDir}) is full: free some space; nothing was saved`;
    else if (code.startsWith("SQLITE_IOERR") || code === "EIO")
      message = `the disk holding DATA_DIR (${this.dataDir}) failed to write (${code}): check it; nothing was saved`;
    else return null;
    this.failedWith = message;
    return this.gone() ?? message;
  }

  /** Why writes would not reach the disk now, or null when they would. */
  problem(): string | null {
    const gone = this.gone();
    if (gone) return gone;
    try {
      if (this.db.$client.query("select 1 as ok").get() === null) return "the database does not answer";
    } catch (e) {
      return `the database does not answer (${(e as Error).message})`;
    }
    if (this.failedWith === null) return null;
    try {
      // a write that needs new pages, unlike one rewriting a page already there
      this.db.$client.run("insert or replace into storage_probe (id, pad) values (1, zeroblob(?))", [
        PROBE_BYTES,
      ]);
      this.db.$client.run("delete from storage_probe");
      this.failedWith = null;
      return null;
    } catch {
      return this.failedWith;
    }
  }

  healthy(): boolean {
    return this.problem() === null;
  }

  /** Set once the database file is not the one opened: writes must be refused until the service restarts. */
  gone(): string | null {
    if (this.goneWith || !this.opened) return this.goneWith;
    if (sameFile(this.opened, fileIdentity(this.file))) return null;
    this.goneWith =
      `the data folder ${this.dataDir} was removed or replaced while the service was running ` +
      `(${this.file} is not the file it opened): nothing more can be saved; restart the service`;
    this.log.error(this.goneWith);
    return this.goneWith;
  }
}

type Params = Record<string, unknown>;

/**
 * A query with placeholders, prepared once: on SQLite a prepared statement (2–4× faster on hot paths, see
 * DESIGN.md), on PostgreSQL drizzle's prepared query. Resolves to its rows.
 */
export function prepared<R>(
  h: Handle,
  query: { prepare(): { all(params?: Params): R[] } },
): (params?: Params) => Promise<R[]> {
  const stmt = query.prepare() as unknown as {
    all?: (params?: Params) => R[];
    execute?: (params?: Params) => Promise<R[]>;
  };
  if (h.sqlite) {
    const all = stmt.all?.bind(stmt) as (params?: Params) => R[];
    return async (params) => all(params);
  }
  const execute = stmt.execute?.bind(stmt) as (params?: Params) => Promise<R[]>;
  return (params) => execute(params);
}

/** Runs a statement that returns nothing the caller reads. */
export async function execute(h: Handle, query: SQL): Promise<void> {
  if (h.sqlite) h.sqlite.run(query);
  else await (h.q as unknown as { execute(q: SQL): Promise<unknown> }).execute(query);
}

/** The rows of a raw query, on either database. */
export async function rows<R>(h: Handle, query: SQL): Promise<R[]> {
  if (h.sqlite) return h.sqlite.all<R>(query);
  return (await (h.q as unknown as { execute(q: SQL): Promise<R[]> }).execute(query)) as R[];
}

/**
 * A transaction's body, written once for both databases: it yields each query and is given back its rows.
 * On SQLite it runs synchronously inside one transaction (nothing else can slip in between its statements);
 * on PostgreSQL inside an async one.
 */
export type TxBody<T> = (tx: Db) => Generator<PromiseLike<unknown>, T, unknown>;

export async function transaction<T>(h: Handle, body: TxBody<T>): Promise<T> {
  if (h.sqlite) {
    return h.sqlite.transaction((tx) => {
      const steps = body(tx as unknown as Db);
      let step = steps.next();
      while (!step.done) step = steps.next((step.value as unknown as { all(): unknown[] }).all());
      return step.value;
    });
  }
  const pg = h.q as unknown as { transaction<R>(fn: (tx: unknown) => Promise<R>): Promise<R> };
  return pg.transaction(async (tx) => {
    const steps = body(tx as Db);
    let step = steps.next();
    while (!step.done) step = steps.next(await step.value);
    return step.value;
  });
}

/** A JSON text column's top-level `key`, as text (`key` is a constant of the code, never input). */
export function jsonKey(h: Handle, column: SQLWrapper, key: string): SQL {
  return h.dialect === "sqlite"
    ? sql`json_extract(${column}, ${sql.raw(`'$.${key}'`)})`
    : sql`(${column}::jsonb ->> ${sql.raw(`'${key}'`)})`;
}

/** The elements of a JSON array stored as text, as a table of one column `value`. */
export function jsonEach(h: Handle, column: SQLWrapper): SQL {
  return h.dialect === "sqlite"
    ? sql`json_each(${column})`
    : sql`jsonb_array_elements_text(${column}::jsonb) as e(value)`;
}

/** What the service asks of the database's health, whichever it is (StorageHealth, PgHealth). */
export interface Storage {
  /** The operator's words for a storage failure, which marks the database degraded; null for other errors. */
  failure(error: unknown): string | null;
  /** Why writes would not be saved now, or null when they would. */
  problem(): string | null;
  healthy(): boolean;
  /** Set once writes must be refused until the service restarts. */
  gone(): string | null;
}

/**
 * The health of the farm's PostgreSQL: degraded from a failed query that says the server is out of reach
 * (or out of space) until a probe answers; the probe runs in the background, so asking never waits.
 */
export class PgHealth implements Storage {
  private failedWith: string | null = null;
  private probing = false;

  constructor(
    private readonly db: PgDb,
    private readonly url: string,
    private readonly log: Logger = silentLogger,
  ) {}

  failure(error: unknown): string | null {
    // drizzle wraps the driver's error ("Failed query: …", the driver's as `cause`)
    let e = error as { code?: unknown; errno?: unknown; message?: unknown; cause?: unknown } | null;
    for (let depth = 0; e && e.code === undefined && e.errno === undefined && e.cause && depth < 3; depth++)
      e = e.cause as typeof e;
    const code = String(e?.code ?? "");
    const state = String(e?.errno ?? "");
    const lost =
      code.startsWith("ERR_POSTGRES_CONNECTION") ||
      code.startsWith("ECONN") ||
      code === "ETIMEDOUT" ||
      /^(08|53|57P)/.test(state);
    if (!lost) return null;
    const first = this.failedWith === null;
    this.failedWith = `the database ${maskDatabaseUrl(this.url)} does not take writes (${String(e?.message ?? code)}): nothing was saved`;
    if (first) this.log.error(this.failedWith);
    return this.failedWith;
  }

  problem(): string | null {
    if (this.failedWith !== null) this.probe();
    return this.failedWith;
  }

  healthy(): boolean {
    return this.problem() === null;
  }

  gone(): string | null {
    return null;
  }

  private probe(): void {
    if (this.probing) return;
    this.probing = true;
    this.db.$client`select 1`
      .then(
        () => {
          if (this.failedWith !== null)
            this.log.info(`the database ${maskDatabaseUrl(this.url)} answers again`);
          this.failedWith = null;
        },
        () => {},
      )
      .finally(() => {
        this.probing = false;
      });
  }
}
