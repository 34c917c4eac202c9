// The devices the service has seen: one row per serial, kept up to date by the fleet.
import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { type DeviceRow, devices } from "./schema.ts";

export type DeviceUpsert = Omit<DeviceRow, "firstSeen" | "hardwareSerial" | "ephemeral"> &
  Partial<Pick<DeviceRow, "firstSeen" | "hardwareSerial" | "ephemeral">>;

export class DeviceStore {
  private readonly byId;
  private readonly all;

  constructor(private readonly db: Db) {
    this.byId = db
      .select()
      .from(devices)
      .where(eq(devices.serial, sql.placeholder("serial")))
      .prepare();
    this.all = db.select().from(devices).orderBy(asc(devices.serial)).prepare();
  }

  get(serial: string): DeviceRow | undefined {
    return this.byId.get({ serial });
  }

  list(): DeviceRow[] {
    return this.all.all();
  }

  /** The serials of `serials` that the service has never seen. */
  unknown(serials: string[]): string[] {
    if (serials.length === 0) return [];
    const known = new Set(
      this.db
        .select({ serial: devices.serial })
        .from(devices)
        .where(inArray(devices.serial, serials))
        .all()
        .map((r) => r.serial),
    );
    return serials.filter((s) => !known.has(s));
  }

  upsert(row: DeviceUpsert): void {
    const { serial, firstSeen, ...rest } = row;
    this.db
      .insert(devices)
      .values({ serial, firstSeen: firstSeen ?? row.lastSeen, ...rest })
      .onConflictDoUpdate({ target: devices.serial, set: rest })
      .run();
  }

  delete(serial: string): void {
    this.db.delete(devices).where(eq(devices.serial, serial)).run();
  }

  /** Forgets the phones that were attached for one run only (demo phones). */
  deleteEphemeral(): void {
    this.db.delete(devices).where(eq(devices.ephemeral, true)).run();
  }

  /** At start-up nothing is known to be online until the fleet says so. */
  markAllOffline(): void {
    this.db.update(devices).set({ state: "offline" }).run();
  }
}
