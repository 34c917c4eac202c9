// The database handle: pragmas, embedded migrations, clean close.
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import type { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { embeddedMigrations } from "./migrations.macro.ts" with { type: "macro" };
import * as schema from "./schema.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

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
  sqlite.exec("PRAGMA synchronous = NORMAL");
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
  db.$client.exec("PRAGMA optimize");
  // throwOnError: finalizes the statements still prepared, so the lock goes now (not when they are collected)
  db.$client.close(true);
}

/** Whether writes reach the disk: degraded from a failed write (full disk, I/O error) until one succeeds. */
export class StorageHealth {
  private changesAtFailure: number | null = null;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
  ) {}

  /** The operator's words for a storage failure, which marks the database degraded; null for other errors. */
  failure(error: unknown): string | null {
    const code = String((error as { code?: unknown })?.code ?? "");
    let message: string;
    if (code === "SQLITE_FULL" || code === "ENOSPC")
      message = `the disk holding DATA_DIR (${this.dataDir}) is full: free some space; nothing was saved`;
    else if (code.startsWith("SQLITE_IOERR") || code === "EIO")
      message = `the disk holding DATA_DIR (${this.dataDir}) failed to write (${code}): check it; nothing was saved`;
    else return null;
    this.changesAtFailure = this.totalChanges();
    return message;
  }

  healthy(): boolean {
    try {
      if (this.db.$client.query("select 1 as ok").get() === null) return false;
      if (this.changesAtFailure === null) return true;
      // degraded until a write succeeds: one by the service, or this probe's own harmless one
      if (this.totalChanges() === this.changesAtFailure) {
        const version = this.db.$client.query<{ user_version: number }, []>("PRAGMA user_version").get();
        this.db.$client.exec(`PRAGMA user_version = ${version?.user_version ?? 0}`);
      }
      this.changesAtFailure = null;
      return true;
    } catch {
      return false;
    }
  }

  private totalChanges(): number {
    return this.db.$client.query<{ n: number }, []>("select total_changes() as n").get()?.n ?? 0;
  }
}
