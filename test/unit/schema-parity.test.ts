// schema.ts (SQLite) and schema-pg.ts (PostgreSQL) describe one database: drizzle has no schema shared by
// two dialects, so this holds the two equal — tables, columns, nullability, defaults, keys, indexes, foreign
// keys — and each column's type one of the pairs below. SQLite's storage_probe (a full-disk probe) is its own.
import { expect, test } from "bun:test";
import { getTableName, is, type SQL, Table } from "drizzle-orm";
import { getTableConfig as pgConfig } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig } from "drizzle-orm/sqlite-core";
import * as sqlite from "../../src/store/schema.ts";
import * as pg from "../../src/store/schema-pg.ts";

const SQLITE_ONLY = new Set(["storage_probe"]);
/** SQLite type → the PostgreSQL types that may stand for it. */
const TYPES: Record<string, string[]> = {
  integer: ["integer", "bigint"],
  text: ["text"],
};

const tables = (schema: Record<string, unknown>) =>
  Object.values(schema).filter((t): t is Table => is(t, Table));

/** What both dialects must agree on, from drizzle's own view of a table. */
function shape(config: ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>) {
  const sqlOf = (e: unknown) =>
    typeof e === "object" && e !== null && "queryChunks" in e ? "expression" : (e as { name: string }).name;
  return {
    columns: config.columns
      .map((c) => ({
        name: c.name,
        notNull: c.notNull,
        primary: c.primary,
        default: c.default === undefined ? null : JSON.stringify(c.default),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    primaryKeys: config.primaryKeys.map((k) => k.columns.map((c) => c.name)),
    indexes: config.indexes
      .map((i) => ({
        name: i.config.name,
        unique: i.config.unique,
        on: (i.config.columns as unknown[]).map((c) => sqlOf(c as SQL)),
      }))
      .sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "")),
    foreignKeys: config.foreignKeys.map((f) => {
      const r = f.reference();
      return {
        columns: r.columns.map((c) => c.name),
        to: getTableName(r.foreignTable),
        onDelete: f.onDelete,
      };
    }),
  };
}

test("every table of schema.ts is in schema-pg.ts with the same columns, keys and indexes", () => {
  const lite = new Map(tables(sqlite).map((t) => [getTableName(t), t]));
  const post = new Map(tables(pg).map((t) => [getTableName(t), t]));
  expect([...post.keys()].sort()).toEqual([...lite.keys()].filter((n) => !SQLITE_ONLY.has(n)).sort());
  for (const [name, table] of post) {
    const a = sqliteConfig(lite.get(name) as Parameters<typeof sqliteConfig>[0]);
    const b = pgConfig(table as Parameters<typeof pgConfig>[0]);
    expect({ table: name, ...shape(b) }).toEqual({ table: name, ...shape(a) });
    for (const column of a.columns) {
      const other = b.columns.find((c) => c.name === column.name);
      const liteType = column.getSQLType();
      const pgType = other?.getSQLType() ?? "";
      // SQLite's booleans are integers 0/1; Postgres has its own
      const allowed = column.columnType === "SQLiteBoolean" ? ["boolean"] : (TYPES[liteType] ?? []);
      expect({ column: `${name}.${column.name}`, type: pgType }).toEqual({
        column: `${name}.${column.name}`,
        type: allowed.includes(pgType) ? pgType : `one of ${allowed.join(", ")}`,
      });
    }
  }
});
