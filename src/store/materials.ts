// Material library queries: the files, who posted which, and where each caption set is in its rotation.
import { and, count, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { type AnyDb, type Handle, handleOf, jsonEach } from "./db.ts";
import type * as schema from "./schema.ts";
import type { MaterialRow, MaterialUseRow } from "./schema.ts";

export interface MaterialFilter {
  tag?: string;
  kind?: string;
  /** 1: posted by someone at least once; 0: never posted. */
  used?: number;
}

export type NewMaterial = Omit<typeof schema.materials.$inferInsert, "id" | "createdAt">;

/** Who posts: an account, or a phone when the task has none. */
export interface Poster {
  username: string | null;
  serial: string;
}

const hasTag = (h: Handle, tag: string) =>
  sql`exists (select 1 from ${jsonEach(h, h.t.materials.tags)} where lower(value) = lower(${tag}))`;
const isUsed = ({ t }: Handle) =>
  sql`exists (select 1 from ${t.materialUses} where ${t.materialUses.path} = ${t.materials.path})`;

export class MaterialStore {
  private readonly h: Handle;

  constructor(db: AnyDb) {
    this.h = handleOf(db);
  }

  async list(
    filter: MaterialFilter,
    page: number,
    pageSize: number,
  ): Promise<{ rows: MaterialRow[]; total: number }> {
    const { q, t } = this.h;
    const where: SQL[] = [];
    if (filter.tag !== undefined) where.push(hasTag(this.h, filter.tag));
    if (filter.kind !== undefined) where.push(eq(t.materials.kind, filter.kind));
    if (filter.used !== undefined) where.push(filter.used ? isUsed(this.h) : sql`not ${isUsed(this.h)}`);
    const cond = where.length > 0 ? and(...where) : undefined;
    const rows = await q
      .select()
      .from(t.materials)
      .where(cond)
      .orderBy(desc(t.materials.createdAt), desc(t.materials.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize);
    const total = (await q.select({ n: count() }).from(t.materials).where(cond))[0]?.n ?? 0;
    return { rows, total };
  }

  async get(id: number): Promise<MaterialRow | undefined> {
    const { q, t } = this.h;
    return (await q.select().from(t.materials).where(eq(t.materials.id, id)))[0];
  }

  async byPath(path: string): Promise<MaterialRow | undefined> {
    const { q, t } = this.h;
    return (await q.select().from(t.materials).where(eq(t.materials.path, path)))[0];
  }

  /** Files of `kind` carrying any of `tags` (every file of that kind when no tags are given). */
  withTags(kind: string, tags: string[]): Promise<MaterialRow[]> {
    const { q, t } = this.h;
    const tagged =
      tags.length > 0
        ? sql.join(
            tags.map((tag) => hasTag(this.h, tag)),
            sql` or `,
          )
        : undefined;
    return q
      .select()
      .from(t.materials)
      .where(and(eq(t.materials.kind, kind), tagged && sql`(${tagged})`));
  }

  async create(row: NewMaterial, now = Date.now()): Promise<MaterialRow> {
    const { q, t } = this.h;
    const [created] = await q
      .insert(t.materials)
      .values({ ...row, createdAt: now })
      .returning();
    return created as MaterialRow;
  }

  /** The content's hash, computed once it was first needed (a registered file is hashed lazily). */
  async setSha256(id: number, sha256: string): Promise<void> {
    const { q, t } = this.h;
    await q.update(t.materials).set({ sha256 }).where(eq(t.materials.id, id));
  }

  async delete(id: number): Promise<MaterialRow | undefined> {
    const { q, t } = this.h;
    return (await q.delete(t.materials).where(eq(t.materials.id, id)).returning())[0];
  }

  /** Every use of each path, oldest first. */
  async usesOf(paths: string[]): Promise<Map<string, MaterialUseRow[]>> {
    const out = new Map<string, MaterialUseRow[]>();
    if (paths.length === 0) return out;
    const { q, t } = this.h;
    const rows = await q
      .select()
      .from(t.materialUses)
      .where(inArray(t.materialUses.path, paths))
      .orderBy(t.materialUses.id);
    for (const r of rows) out.set(r.path, [...(out.get(r.path) ?? []), r]);
    return out;
  }

  /**
   * The paths of `paths` that `poster` has already posted, each with whether a post of it was confirmed (seen
   * on the account); false: only possibly posted.
   */
  async usedBy(paths: string[], poster: Poster): Promise<Map<string, boolean>> {
    if (paths.length === 0) return new Map();
    const { q, t } = this.h;
    const uses = t.materialUses;
    const who = poster.username
      ? sql`lower(${uses.username}) = lower(${poster.username})`
      : and(eq(uses.serial, poster.serial), isNull(uses.username));
    const rows = await q
      .select({
        path: uses.path,
        confirmed: sql<number>`max(case when ${uses.confirmed} then 1 else 0 end)`.mapWith(Number),
      })
      .from(uses)
      .where(and(inArray(uses.path, paths), who))
      .groupBy(uses.path);
    return new Map(rows.map((r) => [r.path, r.confirmed === 1]));
  }

  /** `confirmed` false: possibly posted (Post was tapped, the post not seen on the account yet). */
  async recordUses(
    paths: string[],
    poster: Poster,
    taskId: number | null,
    at = Date.now(),
    confirmed = true,
  ): Promise<void> {
    if (paths.length === 0) return;
    const { q, t } = this.h;
    await q.insert(t.materialUses).values(
      paths.map((path) => ({
        path,
        username: poster.username,
        serial: poster.serial,
        taskId,
        at,
        confirmed,
      })),
    );
  }

  /** The task's possible posts of `paths` were seen on the account: posted. */
  async confirmUses(taskId: number, paths: string[]): Promise<void> {
    const { q, t } = this.h;
    await q.update(t.materialUses).set({ confirmed: true }).where(this.possibleUses(taskId, paths));
  }

  /** The task's possible posts of `paths` were not posted after all (the app said the upload failed). */
  async dropPossibleUses(taskId: number, paths: string[]): Promise<void> {
    const { q, t } = this.h;
    await q.delete(t.materialUses).where(this.possibleUses(taskId, paths));
  }

  /** By path too: a retried task may have possibly posted other files in an earlier run. */
  private possibleUses(taskId: number, paths: string[]) {
    const uses = this.h.t.materialUses;
    return and(eq(uses.taskId, taskId), inArray(uses.path, paths), eq(uses.confirmed, false));
  }

  /** How many captions the set `key` had handed out before this one (0 the first time), counting this one. */
  async takeRotation(key: string): Promise<number> {
    const { q, t } = this.h;
    const rotation = t.captionRotation;
    const [row] = await q
      .insert(rotation)
      .values({ key, used: 1 })
      .onConflictDoUpdate({ target: rotation.key, set: { used: sql`${rotation.used} + 1` } })
      .returning({ used: rotation.used });
    return (row as { used: number }).used - 1;
  }
}
