// The farm's PCs: each registers under its name (`--node`) when it starts and heartbeats while it runs, so
// the farm knows who is there. On SQLite the one PC is the one node.
import { asc, eq } from "drizzle-orm";
import { type AnyDb, type Handle, handleOf } from "./db.ts";
import type { NodeRow } from "./schema.ts";

export class NodeStore {
  private readonly h: Handle;

  constructor(db: AnyDb) {
    this.h = handleOf(db);
  }

  /** This node starts: registered (again, under the same name after a restart), alive now. */
  async register(name: string, version: string, now = Date.now(), url: string | null = null): Promise<void> {
    const { q, t } = this.h;
    await q
      .insert(t.nodes)
      .values({ name, version, startedAt: now, heartbeatAt: now, url })
      .onConflictDoUpdate({ target: t.nodes.name, set: { version, startedAt: now, heartbeatAt: now, url } });
  }

  async get(name: string): Promise<NodeRow | undefined> {
    const { q, t } = this.h;
    return (await q.select().from(t.nodes).where(eq(t.nodes.name, name)))[0];
  }

  /** This node is still alive; false when its row is gone (it is registered again). */
  async heartbeat(name: string, now = Date.now()): Promise<boolean> {
    const { q, t } = this.h;
    const rows = await q
      .update(t.nodes)
      .set({ heartbeatAt: now })
      .where(eq(t.nodes.name, name))
      .returning({ name: t.nodes.name });
    return rows.length === 1;
  }

  list(): Promise<NodeRow[]> {
    const { q, t } = this.h;
    return q.select().from(t.nodes).orderBy(asc(t.nodes.name));
  }
}
