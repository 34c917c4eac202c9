// Accounts on the phones: registered by hand through the API, or discovered on the phones later. A
// password is stored sealed (secret-box.ts) and never read back by the API.
import { and, asc, count, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { DeviceState, Platform } from "../domain.ts";
import { type AnyDb, type Db, type Handle, handleOf, jsonEach, transaction } from "./db.ts";
import { MetaStore } from "./meta.ts";
import type * as schema from "./schema.ts";
import type { AccountRow } from "./schema.ts";
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

export type NewAccount = Omit<typeof schema.accounts.$inferInsert, "id" | "createdAt" | "updatedAt">;
export type AccountChange = Partial<NewAccount>;

export interface AccountWithDevice extends AccountRow {
  deviceState: DeviceState | null;
  deviceModel: string | null;
}

type Tables = typeof schema;

/** Accounts whose username (case-insensitive, without "@") is one of `names` (`names` not empty). */
const byUsernames = (q: Db, { accounts }: Tables, names: string[], platform?: Platform) => {
  const cond = inArray(
    sql`lower(${accounts.username})`,
    names.map((n) => n.toLowerCase()),
  );
  return q
    .select()
    .from(accounts)
    .where(platform ? and(cond, eq(accounts.platform, platform)) : cond);
};

/** Every account of a platform on a phone. */
const onPhone = (q: Db, { accounts }: Tables, serial: string, platform: Platform) =>
  q
    .select()
    .from(accounts)
    .where(and(eq(accounts.device, serial), eq(accounts.platform, platform)))
    .orderBy(asc(accounts.id));

export class AccountStore {
  private readonly h: Handle;

  constructor(
    db: AnyDb,
    private readonly box: SecretBox,
  ) {
    this.h = handleOf(db);
  }

  /** A row as stored: its password sealed. */
  private sealed<C extends AccountChange>(change: C): C {
    return typeof change.password === "string"
      ? { ...change, password: this.box.seal(change.password) }
      : change;
  }

  private withDevice() {
    const { q, t } = this.h;
    return q
      .select({ account: t.accounts, deviceState: t.devices.state, deviceModel: t.devices.model })
      .from(t.accounts)
      .leftJoin(t.devices, eq(t.devices.serial, t.accounts.device));
  }

  private static flatten(r: {
    account: AccountRow;
    deviceState: DeviceState | null;
    deviceModel: string | null;
  }): AccountWithDevice {
    return { ...r.account, deviceState: r.deviceState, deviceModel: r.deviceModel };
  }

  async list(
    filter: AccountFilter,
    page: number,
    pageSize: number,
  ): Promise<{ rows: AccountWithDevice[]; total: number }> {
    const { q, t } = this.h;
    const { accounts } = t;
    const where: SQL[] = [];
    if (filter.platform !== undefined) where.push(eq(accounts.platform, filter.platform));
    if (filter.device !== undefined) where.push(eq(accounts.device, filter.device));
    if (filter.logined !== undefined) where.push(eq(accounts.logined, filter.logined));
    if (filter.status !== undefined) where.push(eq(accounts.status, filter.status));
    if (filter.tag !== undefined) {
      where.push(sql`exists (select 1 from ${jsonEach(this.h, accounts.tags)} where value = ${filter.tag})`);
    }
    const cond = where.length > 0 ? and(...where) : undefined;
    const rows = (
      await this.withDevice()
        .where(cond)
        .orderBy(asc(accounts.id))
        .limit(pageSize)
        .offset((page - 1) * pageSize)
    ).map(AccountStore.flatten);
    const total = (await q.select({ n: count() }).from(accounts).where(cond))[0]?.n ?? 0;
    return { rows, total };
  }

  async get(id: number): Promise<AccountWithDevice | undefined> {
    const [r] = await this.withDevice().where(eq(this.h.t.accounts.id, id));
    return r && AccountStore.flatten(r);
  }

  /** Accounts whose username (case-insensitive, without "@") is one of `names`. */
  async findByUsernames(names: string[], platform?: Platform): Promise<AccountRow[]> {
    if (names.length === 0) return [];
    return byUsernames(this.h.q, this.h.t, names, platform);
  }

  /** Logged-in, enabled accounts on a phone, in a stable order (multi-account mode). */
  loggedInOn(serial: string, platform: Platform): Promise<AccountRow[]> {
    const { q, t } = this.h;
    const { accounts } = t;
    return q
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
      .orderBy(asc(accounts.id));
  }

  /**
   * What a phone's app showed: `usernames` signed in (the switcher's full list, or only the one in use when
   * `complete` is false). Each is confirmed on this phone (created, or moved here from another phone); with a
   * complete list, this phone's other accounts of that app package are marked logged out (never deleted).
   */
  recordSeen(seen: SeenAccounts, now = Date.now()): Promise<SeenSummary> {
    const { t } = this.h;
    const summary: SeenSummary = { ids: {}, added: [], moved: [], loggedOut: [] };
    const creating = (username: string) =>
      this.creating(
        {
          username,
          platform: seen.platform,
          email: null,
          password: null,
          status: 1,
          tags: "[]",
          device: seen.serial,
          packagename: seen.packagename,
          logined: 1,
          lastSeenAt: now,
        },
        now,
      );
    const updating = (id: number, change: AccountChange) => this.updating(id, change, now);
    return transaction(this.h, function* (tx) {
      for (const username of seen.usernames) {
        const [existing] = (yield byUsernames(tx, t, [username], seen.platform)) as AccountRow[];
        const change = { device: seen.serial, packagename: seen.packagename, logined: 1, lastSeenAt: now };
        if (existing) {
          if (existing.device !== seen.serial)
            summary.moved.push({ username: existing.username, from: existing.device });
          yield updating(existing.id, change)(tx);
          summary.ids[username] = existing.id;
        } else {
          const [created] = (yield creating(username)(tx)) as { id: number }[];
          summary.ids[username] = (created as { id: number }).id;
          summary.added.push(username);
        }
      }
      // a full read without one in use: the app is signed out, and what was in use before is no longer
      if (seen.inUse || seen.complete) {
        const inUse: LastInUse = { username: seen.inUse ?? null, at: now };
        yield MetaStore.setting(tx, t, inUseKey(seen.serial, seen.platform), JSON.stringify(inUse));
      }
      if (!seen.complete) return summary;
      const present = new Set(seen.usernames.map((u) => u.toLowerCase()));
      for (const a of (yield onPhone(tx, t, seen.serial, seen.platform)) as AccountRow[]) {
        // the other TikTok package keeps its own accounts
        const samePackage = a.packagename === null || a.packagename === seen.packagename;
        if (samePackage && a.logined === 1 && !present.has(a.username.toLowerCase())) {
          yield updating(a.id, { logined: 0 })(tx);
          summary.loggedOut.push(a.username);
        }
      }
      return summary;
    });
  }

  /** The account `platform`'s app on `serial` last showed in use; null when it was never read. */
  async inUseOn(serial: string, platform: Platform): Promise<LastInUse | null> {
    const raw = await new MetaStore(this.h.q).get(inUseKey(serial, platform));
    return raw === undefined ? null : (JSON.parse(raw) as LastInUse);
  }

  /** The app on `serial` does not have `username` signed in: marked logged out there (kept). */
  async markLoggedOut(serial: string, platform: Platform, username: string, now = Date.now()): Promise<void> {
    const [account] = await this.findByUsernames([username], platform);
    if (account && account.device === serial) await this.update(account.id, { logined: 0 }, now);
  }

  /** Every account of a platform on a phone. */
  onPhone(serial: string, platform: Platform): Promise<AccountRow[]> {
    return onPhone(this.h.q, this.h.t, serial, platform);
  }

  /** A phone's accounts, every platform (the device view). */
  onDevice(serial: string): Promise<AccountRow[]> {
    const { q, t } = this.h;
    return q.select().from(t.accounts).where(eq(t.accounts.device, serial)).orderBy(asc(t.accounts.id));
  }

  /** The statement that creates an account, returning its id. */
  private creating(row: NewAccount, now: number) {
    const { accounts } = this.h.t;
    const values = { ...this.sealed(row), createdAt: now, updatedAt: now };
    return (q: Db) => q.insert(accounts).values(values).returning({ id: accounts.id });
  }

  /** The statement that changes an account, returning its id when it exists. */
  private updating(id: number, change: AccountChange, now: number) {
    const { accounts } = this.h.t;
    const set = { ...this.sealed(change), updatedAt: now };
    return (q: Db) => q.update(accounts).set(set).where(eq(accounts.id, id)).returning({ id: accounts.id });
  }

  async create(row: NewAccount, now = Date.now()): Promise<number> {
    const [created] = await this.creating(row, now)(this.h.q);
    return (created as { id: number }).id;
  }

  async update(id: number, change: AccountChange, now = Date.now()): Promise<boolean> {
    return (await this.updating(id, change, now)(this.h.q)).length === 1;
  }

  async delete(id: number): Promise<boolean> {
    const { q, t } = this.h;
    return (
      (await q.delete(t.accounts).where(eq(t.accounts.id, id)).returning({ id: t.accounts.id })).length === 1
    );
  }
}
