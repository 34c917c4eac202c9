// Named facts about this installation, kept in the `meta` table.
import { eq } from "drizzle-orm";
import type { Db } from "./db.ts";
import { meta } from "./schema.ts";

export class MetaStore {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    return this.db.select().from(meta).where(eq(meta.key, key)).get()?.value;
  }

  set(key: string, value: string): void {
    this.db
      .insert(meta)
      .values({ key, value })
      .onConflictDoUpdate({ target: meta.key, set: { value } })
      .run();
  }
}
