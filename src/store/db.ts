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

export function openDb(file: string): Db {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file, { create: true, strict: true });
  // busy_timeout first: the other pragmas may need the lock
  sqlite.exec("PRAGMA busy_timeout = 5000");
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

export function closeDb(db: Db): void {
  db.$client.exec("PRAGMA optimize");
  db.$client.close();
}
