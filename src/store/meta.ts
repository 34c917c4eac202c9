// Named facts about this installation, kept in the `meta` table.
import { eq } from "drizzle-orm";
import { type AnyDb, type Db, type Handle, handleOf } from "./db.ts";

export class MetaStore {
  private readonly h: Handle;

  constructor(db: AnyDb) {
    this.h = handleOf(db);
  }

  async get(key: string): Promise<string | undefined> {
    const { q, t } = this.h;
    return (await q.select().from(t.meta).where(eq(t.meta.key, key)))[0]?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await MetaStore.setting(this.h.q, this.h.t, key, value);
  }

  /** The statement that sets `key` (also inside a transaction). */
  static setting(q: Db, t: Handle["t"], key: string, value: string) {
    return q.insert(t.meta).values({ key, value }).onConflictDoUpdate({ target: t.meta.key, set: { value } });
  }
}
