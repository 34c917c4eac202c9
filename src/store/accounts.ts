// Accounts on the phones: registered by hand through the API, or discovered on the phones later.
import { and, asc, count, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { DeviceState, Platform } from "../domain.ts";
import type { Db } from "./db.ts";
import { type AccountRow, accounts, devices } from "./schema.ts";

export interface AccountFilter {
  platform?: Platform;
  device?: string;
  logined?: number;
  status?: number;
  tag?: string;
}

export type NewAccount = Omit<typeof accounts.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type AccountChange = Partial<NewAccount>;

export interface AccountWithDevice extends AccountRow {
  deviceState: DeviceState | null;
  deviceModel: string | null;
}

export class AccountStore {
  constructor(private readonly db: Db) {}

  private withDevice() {
    return this.db
      .select({ account: accounts, deviceState: devices.state, deviceModel: devices.model })
      .from(accounts)
      .leftJoin(devices, eq(devices.serial, accounts.device));
  }

  private static flatten(r: {
    account: AccountRow;
    deviceState: DeviceState | null;
    deviceModel: string | null;
  }): AccountWithDevice {
    return { ...r.account, deviceState: r.deviceState, deviceModel: r.deviceModel };
  }

  list(filter: AccountFilter, page: number, pageSize: number): { rows: AccountWithDevice[]; total: number } {
    const where: SQL[] = [];
    if (filter.platform !== undefined) where.push(eq(accounts.platform, filter.platform));
    if (filter.device !== undefined) where.push(eq(accounts.device, filter.device));
    if (filter.logined !== undefined) where.push(eq(accounts.logined, filter.logined));
    if (filter.status !== undefined) where.push(eq(accounts.status, filter.status));
    if (filter.tag !== undefined) {
      where.push(sql`exists (select 1 from json_each(${accounts.tags}) where value = ${filter.tag})`);
    }
    const cond = where.length > 0 ? and(...where) : undefined;
    const rows = this.withDevice()
      .where(cond)
      .orderBy(asc(accounts.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .all()
      .map(AccountStore.flatten);
    const total = this.db.select({ n: count() }).from(accounts).where(cond).get()?.n ?? 0;
    return { rows, total };
  }

  get(id: number): AccountWithDevice | undefined {
    const r = this.withDevice().where(eq(accounts.id, id)).get();
    return r && AccountStore.flatten(r);
  }

  /** Accounts whose username (case-insensitive, without "@") is one of `names`. */
  findByUsernames(names: string[], platform?: Platform): AccountRow[] {
    if (names.length === 0) return [];
    const lower = names.map((n) => n.toLowerCase());
    const cond = inArray(sql`lower(${accounts.username})`, lower);
    return this.db
      .select()
      .from(accounts)
      .where(platform ? and(cond, eq(accounts.platform, platform)) : cond)
      .all();
  }

  /** Logged-in, enabled accounts on a phone, in a stable order (multi-account mode). */
  loggedInOn(serial: string, platform: Platform): AccountRow[] {
    return this.db
      .select()
      .from(accounts)
      .where(
        and(
          eq(accounts.device, serial),
          eq(accounts.platform, platform),
          eq(accounts.logined, 1),
          eq(accounts.status, 1),
        ),
      )
      .orderBy(asc(accounts.id))
      .all();
  }

  create(row: NewAccount, now = Date.now()): number {
    return this.db
      .insert(accounts)
      .values({ ...row, createdAt: now, updatedAt: now })
      .returning({ id: accounts.id })
      .get().id;
  }

  update(id: number, change: AccountChange, now = Date.now()): boolean {
    return (
      this.db
        .update(accounts)
        .set({ ...change, updatedAt: now })
        .where(eq(accounts.id, id))
        .returning({ id: accounts.id })
        .all().length === 1
    );
  }

  delete(id: number): boolean {
    return (
      this.db.delete(accounts).where(eq(accounts.id, id)).returning({ id: accounts.id }).all().length === 1
    );
  }
}
