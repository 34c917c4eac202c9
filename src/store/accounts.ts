// Accounts on the phones: registered by hand through the API, or discovered on the phones later. A
// password is stored sealed (secret-box.ts) and never read back by the API.
import { and, asc, count, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { DeviceState, Platform } from "../domain.ts";
import type { Db } from "./db.ts";
import { MetaStore } from "./meta.ts";
import { type AccountRow, accounts, devices } from "./schema.ts";
import type { SecretBox } from "./secret-box.ts";

export interface AccountFilter {
  platform?: Platform;
  device?: string;
  logined?: number;
  status?: number;
  tag?: string;
}

/** What an app on a phone showed of its signed-in accounts. */
export interface SeenAccounts {
  serial: string;
  platform: Platform;
  packagename: string;
  usernames: string[];
  /** The switcher's full list (others on this phone are then logged out), or only the account in use. */
  complete: boolean;
  /** The account the app showed in use (one of `usernames`), when it was read. */
  inUse?: string;
}

/** The account an app on a phone last showed in use, and when. */
export interface LastInUse {
  /** null: the app showed no account signed in. */
  username: string | null;
  at: number;
}

const inUseKey = (serial: string, platform: Platform) => `account_in_use:${platform}:${serial}`;

export interface SeenSummary {
  /** Each seen username's account id. */
  ids: Record<string, number>;
  added: string[];
  moved: { username: string; from: string }[];
  loggedOut: string[];
}

export type NewAccount = Omit<typeof accounts.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type AccountChange = Partial<NewAccount>;

export interface AccountWithDevice extends AccountRow {
  deviceState: DeviceState | null;
  deviceModel: string | null;
}

export class AccountStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** A row as stored: its password sealed. */
  private sealed<C extends AccountChange>(change: C): C {
    return typeof change.password === "string"
      ? { ...change, password: this.box.seal(change.password) }
      : change;
  }

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

  /**
   * What a phone's app showed: `usernames` signed in (the switcher's full list, or only the one in use when
   * `complete` is false). Each is confirmed on this phone (created, or moved here from another phone); with a
   * complete list, this phone's other accounts of that app package are marked logged out (never deleted).
   */
  recordSeen(seen: SeenAccounts, now = Date.now()): SeenSummary {
    const summary: SeenSummary = { ids: {}, added: [], moved: [], loggedOut: [] };
    this.db.transaction((tx) => {
      const store = new AccountStore(tx as unknown as Db, this.box);
      for (const username of seen.usernames) {
        const [existing] = store.findByUsernames([username], seen.platform);
        const change = { device: seen.serial, packagename: seen.packagename, logined: 1, lastSeenAt: now };
        if (existing) {
          if (existing.device !== seen.serial)
            summary.moved.push({ username: existing.username, from: existing.device });
          store.update(existing.id, change, now);
          summary.ids[username] = existing.id;
        } else {
          summary.ids[username] = store.create(
            {
              username,
              platform: seen.platform,
              email: null,
              password: null,
              status: 1,
              tags: "[]",
              ...change,
            },
            now,
          );
          summary.added.push(username);
        }
      }
      // a full read without one in use: the app is signed out, and what was in use before is no longer
      if (seen.inUse || seen.complete) {
        const inUse: LastInUse = { username: seen.inUse ?? null, at: now };
        new MetaStore(tx as unknown as Db).set(inUseKey(seen.serial, seen.platform), JSON.stringify(inUse));
      }
      if (!seen.complete) return;
      const present = new Set(seen.usernames.map((u) => u.toLowerCase()));
      for (const a of store.onPhone(seen.serial, seen.platform)) {
        // the other TikTok package keeps its own accounts
        const samePackage = a.packagename === null || a.packagename === seen.packagename;
        if (samePackage && a.logined === 1 && !present.has(a.username.toLowerCase())) {
          store.update(a.id, { logined: 0 }, now);
          summary.loggedOut.push(a.username);
        }
      }
    });
    return summary;
  }

  /** The account `platform`'s app on `serial` last showed in use; null when it was never read. */
  inUseOn(serial: string, platform: Platform): LastInUse | null {
    const raw = new MetaStore(this.db).get(inUseKey(serial, platform));
    return raw === undefined ? null : (JSON.parse(raw) as LastInUse);
  }

  /** The app on `serial` does not have `username` signed in: marked logged out there (kept). */
  markLoggedOut(serial: string, platform: Platform, username: string, now = Date.now()): void {
    const [account] = this.findByUsernames([username], platform);
    if (account && account.device === serial) this.update(account.id, { logined: 0 }, now);
  }

  /** Every account of a platform on a phone. */
  onPhone(serial: string, platform: Platform): AccountRow[] {
    return this.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.device, serial), eq(accounts.platform, platform)))
      .orderBy(asc(accounts.id))
      .all();
  }

  /** A phone's accounts, every platform (the device view). */
  onDevice(serial: string): AccountRow[] {
    return this.db.select().from(accounts).where(eq(accounts.device, serial)).orderBy(asc(accounts.id)).all();
  }

  create(row: NewAccount, now = Date.now()): number {
    return this.db
      .insert(accounts)
      .values({ ...this.sealed(row), createdAt: now, updatedAt: now })
      .returning({ id: accounts.id })
      .get().id;
  }

  update(id: number, change: AccountChange, now = Date.now()): boolean {
    return (
      this.db
        .update(accounts)
        .set({ ...this.sealed(change), updatedAt: now })
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
