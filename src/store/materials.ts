// Material library queries: the files, who posted which, and where each caption set is in its rotation.
import { and, count, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { captionRotation, type MaterialRow, type MaterialUseRow, materials, materialUses } from "./schema.ts";

export interface MaterialFilter {
  tag?: string;
  kind?: string;
  /** 1: posted by someone at least once; 0: never posted. */
  used?: number;
}

export type NewMaterial = Omit<typeof materials.$inferInsert, "id" | "createdAt">;

/** Who posts: an account, or a phone when the task has none. */
export interface Poster {
  username: string | null;
  serial: string;
}

const hasTag = (tag: string) =>
  sql`exists (select 1 from json_each(${materials.tags}) where lower(value) = lower(${tag}))`;
const isUsed = sql`exists (select 1 from ${materialUses} where ${materialUses.path} = ${materials.path})`;

export class MaterialStore {
  constructor(private readonly db: Db) {}

  list(filter: MaterialFilter, page: number, pageSize: number): { rows: MaterialRow[]; total: number } {
    const where: SQL[] = [];
    if (filter.tag !== undefined) where.push(hasTag(filter.tag));
    if (filter.kind !== undefined) where.push(eq(materials.kind, filter.kind));
    if (filter.used !== undefined) where.push(filter.used ? isUsed : sql`not ${isUsed}`);
    const cond = where.length > 0 ? and(...where) : undefined;
    const rows = this.db
      .select()
      .from(materials)
      .where(cond)
      .orderBy(desc(materials.createdAt), desc(materials.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .all();
    const total = this.db.select({ n: count() }).from(materials).where(cond).get()?.n ?? 0;
    return { rows, total };
  }

  get(id: number): MaterialRow | undefined {
    return this.db.select().from(materials).where(eq(materials.id, id)).get();
  }

  byPath(path: string): MaterialRow | undefined {
    return this.db.select().from(materials).where(eq(materials.path, path)).get();
  }

  /** Files of `kind` carrying any of `tags` (every file of that kind when no tags are given). */
  withTags(kind: string, tags: string[]): MaterialRow[] {
    const tagged = tags.length > 0 ? sql.join(tags.map(hasTag), sql` or `) : undefined;
    return this.db
      .select()
      .from(materials)
      .where(and(eq(materials.kind, kind), tagged && sql`(${tagged})`))
      .all();
  }

  create(row: NewMaterial, now = Date.now()): MaterialRow {
    return this.db
      .insert(materials)
      .values({ ...row, createdAt: now })
      .returning()
      .get();
  }

  delete(id: number): MaterialRow | undefined {
    return this.db.delete(materials).where(eq(materials.id, id)).returning().get();
  }

  /** Every use of each path, oldest first. */
  usesOf(paths: string[]): Map<string, MaterialUseRow[]> {
    const out = new Map<string, MaterialUseRow[]>();
    if (paths.length === 0) return out;
    const rows = this.db
      .select()
      .from(materialUses)
      .where(inArray(materialUses.path, paths))
      .orderBy(materialUses.id)
      .all();
    for (const r of rows) out.set(r.path, [...(out.get(r.path) ?? []), r]);
    return out;
  }

  /**
   * The paths of `paths` that `poster` has already posted, each with whether a post of it was confirmed (seen
   * on the account); false: only possibly posted.
   */
  usedBy(paths: string[], poster: Poster): Map<string, boolean> {
    if (paths.length === 0) return new Map();
    const who = poster.username
      ? sql`lower(${materialUses.username}) = lower(${poster.username})`
      : and(eq(materialUses.serial, poster.serial), isNull(materialUses.username));
    const rows = this.db
      .select({ path: materialUses.path, confirmed: sql<number>`max(${materialUses.confirmed})` })
      .from(materialUses)
      .where(and(inArray(materialUses.path, paths), who))
      .groupBy(materialUses.path)
      .all();
    return new Map(rows.map((r) => [r.path, r.confirmed === 1]));
  }

  /** `confirmed` false: possibly posted (Post was tapped, the post not seen on the account yet). */
  recordUses(
    paths: string[],
    poster: Poster,
    taskId: number | null,
    at = Date.now(),
    confirmed = true,
  ): void {
    if (paths.length === 0) return;
    this.db
      .insert(materialUses)
      .values(
        paths.map((path) => ({
          path,
          username: poster.username,
          serial: poster.serial,
          taskId,
          at,
          confirmed,
        })),
      )
      .run();
  }

  /** The task's possible posts of `paths` were seen on the account: posted. */
  confirmUses(taskId: number, paths: string[]): void {
    this.db.update(materialUses).set({ confirmed: true }).where(this.possibleUses(taskId, paths)).run();
  }

  /** The task's possible posts of `paths` were not posted after all (the app said the upload failed). */
  dropPossibleUses(taskId: number, paths: string[]): void {
    this.db.delete(materialUses).where(this.possibleUses(taskId, paths)).run();
  }

  /** By path too: a retried task may have possibly posted other files in an earlier run. */
  private possibleUses(taskId: number, paths: string[]) {
    return and(
      eq(materialUses.taskId, taskId),
      inArray(materialUses.path, paths),
      eq(materialUses.confirmed, false),
    );
  }

  /** How many captions the set `key` had handed out before this one (0 the first time), counting this one. */
  takeRotation(key: string): number {
    const row = this.db
      .insert(captionRotation)
      .values({ key, used: 1 })
      .onConflictDoUpdate({ target: captionRotation.key, set: { used: sql`${captionRotation.used} + 1` } })
      .returning({ used: captionRotation.used })
      .get();
    return row.used - 1;
  }
}
