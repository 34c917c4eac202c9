// A Bun macro: runs at bundle time, so the compiled executable carries the SQL of drizzle/ (SQLite) and
// drizzle-pg/ (PostgreSQL) inside it.
import { join } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";

export function embeddedMigrations() {
  return readMigrationFiles({ migrationsFolder: join(import.meta.dir, "../../drizzle") });
}

export function embeddedPgMigrations() {
  return readMigrationFiles({ migrationsFolder: join(import.meta.dir, "../../drizzle-pg") });
}
