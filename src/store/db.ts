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

export function openDb(file: string): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { create: true, strict: true });
  // busy_timeout first: the other pragmas may need the lock
  sqlite.exec("PRAGMA busy_timeout = 5000");
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

export function closeDb(db: Db): void {
  db.$client.exec("PRAGMA optimize");
  db.$client.close();
}

const PROBE_BYTES = 64 * 1024;

/** Whether writes reach the disk: degraded from a failed write (full disk, I/O error) until a probe write that needs space succeeds. */
export class StorageHealth {
  private failedWith: string | null = null;

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
    this.failedWith = message;
    return message;
  }

  /** Why writes would not reach the disk now, or null when they would. */
  problem(): string | null {
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
}
