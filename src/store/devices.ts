// The devices the service has seen: one row per serial, kept up to date by the fleet.
import { asc, eq, inArray, sql } from "drizzle-orm";
import { type AnyDb, type Handle, handleOf, prepared } from "./db.ts";
import type { DeviceRow } from "./schema.ts";

export type DeviceUpsert = Omit<DeviceRow, "firstSeen" | "hardwareSerial" | "ephemeral" | "node"> &
  Partial<Pick<DeviceRow, "firstSeen" | "hardwareSerial" | "ephemeral" | "node">>;

/** What the task queue needs to know of a phone (see tasks/waiting.ts). */
export type PhoneState = Pick<DeviceRow, "state" | "transport" | "hint">;

export class DeviceStore {
  private readonly h: Handle;
  /** Each phone's state as last written by this process or read (answers the queue's explanations at once). */
  private readonly states = new Map<string, PhoneState>();
  private readonly byId;
  private readonly all;

  constructor(db: AnyDb) {
    const h = handleOf(db);
    this.h = h;
    const { q, t } = h;
    this.byId = prepared(
      h,
      q
        .select()
        .from(t.devices)
        .where(eq(t.devices.serial, sql.placeholder("serial"))),
    );
    this.all = prepared(h, q.select().from(t.devices).orderBy(asc(t.devices.serial)));
  }

  async get(serial: string): Promise<DeviceRow | undefined> {
    return (await this.byId({ serial }))[0];
  }

  async list(): Promise<DeviceRow[]> {
    const rows = await this.all();
    for (const row of rows) this.states.set(row.serial, pick(row));
    return rows;
  }

  /** The phone's state as last written or listed; undefined for a phone not known to be seen. */
  stateOf(serial: string): PhoneState | undefined {
    return this.states.get(serial);
  }

  /** The serials of `serials` that the service has never seen. */
  async unknown(serials: string[]): Promise<string[]> {
    if (serials.length === 0) return [];
    const { q, t } = this.h;
    const rows = await q
      .select({ serial: t.devices.serial })
      .from(t.devices)
      .where(inArray(t.devices.serial, serials));
    const known = new Set(rows.map((r) => r.serial));
    return serials.filter((s) => !known.has(s));
  }

  async upsert(row: DeviceUpsert): Promise<void> {
    const { q, t } = this.h;
    const { serial, firstSeen, ...rest } = row;
    await q
      .insert(t.devices)
      .values({ serial, firstSeen: firstSeen ?? row.lastSeen, ...rest })
      .onConflictDoUpdate({ target: t.devices.serial, set: rest });
    this.states.set(serial, pick(row));
  }

  async delete(serial: string): Promise<void> {
    const { q, t } = this.h;
    await q.delete(t.devices).where(eq(t.devices.serial, serial));
    this.states.delete(serial);
  }

  /** Forgets the phones that were attached for one run only (demo phones). */
  async deleteEphemeral(): Promise<void> {
    const { q, t } = this.h;
    const gone = await q
      .delete(t.devices)
      .where(eq(t.devices.ephemeral, true))
      .returning({ serial: t.devices.serial });
    for (const { serial } of gone) this.states.delete(serial);
  }

  /** These phones are offline, `hint` saying why (their PC stopped). */
  async markOffline(serials: string[], hint: string): Promise<void> {
    if (serials.length === 0) return;
    const { q, t } = this.h;
    const rows = await q
      .update(t.devices)
      .set({ state: "offline", hint })
      .where(inArray(t.devices.serial, serials))
      .returning({
        state: t.devices.state,
        transport: t.devices.transport,
        hint: t.devices.hint,
        serial: t.devices.serial,
      });
    for (const row of rows) this.states.set(row.serial, pick(row));
  }

  /** At start-up nothing is known to be online until the fleet says so. */
  async markAllOffline(): Promise<void> {
    const { q, t } = this.h;
    await q.update(t.devices).set({ state: "offline" });
    for (const [serial, state] of this.states) this.states.set(serial, { ...state, state: "offline" });
  }
}

const pick = ({ state, transport, hint }: PhoneState): PhoneState => ({ state, transport, hint });
