// The devices the farm has seen: one row per serial, kept up to date by the fleets of its PCs (nodes). A row
// shows the phone as the node that last reported it online sees it (`node`); null there is a row of before
// the farm had nodes, taken as this PC's.
import { and, asc, eq, inArray, isNull, ne, notInArray, or, type SQL, sql } from "drizzle-orm";
import { type AnyDb, type Handle, handleOf, prepared } from "./db.ts";
import type { DeviceRow } from "./schema.ts";

/** A phone as this node's fleet reports it (the node is this store's). */
export type DeviceUpsert = Omit<DeviceRow, "firstSeen" | "hardwareSerial" | "ephemeral" | "node"> &
  Partial<Pick<DeviceRow, "firstSeen" | "hardwareSerial" | "ephemeral">>;

/** What the task queue needs to know of a phone (see tasks/waiting.ts), and which node holds it. */
export type PhoneState = Pick<DeviceRow, "state" | "transport" | "hint" | "node">;

export class DeviceStore {
  private readonly h: Handle;
  /** Each phone's state as last written by this process or read (answers the queue's explanations at once). */
  private readonly states = new Map<string, PhoneState>();
  private readonly byId;
  private readonly all;
  private readonly allStates;

  /** `node`: this PC's name, written into the rows it reports (null: none, as in tests of one PC). */
  constructor(
    db: AnyDb,
    private readonly node: string | null = null,
  ) {
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
    this.allStates = prepared(h, q.select(stateColumns(t.devices)).from(t.devices));
  }

  /** The rows this node answers for: its own, and those of before the farm had nodes. */
  private mine(): SQL {
    const { devices } = this.h.t;
    return this.node === null
      ? isNull(devices.node)
      : (or(isNull(devices.node), eq(devices.node, this.node)) as SQL);
  }

  async get(serial: string): Promise<DeviceRow | undefined> {
    return (await this.byId({ serial }))[0];
  }

  /** Every phone of the farm, by serial. */
  async list(): Promise<DeviceRow[]> {
    const rows = await this.all();
    for (const row of rows) this.states.set(row.serial, pick(row));
    return rows;
  }

  /** The phone's state as last written, listed or refreshed; undefined for a phone not known to be seen. */
  stateOf(serial: string): PhoneState | undefined {
    return this.states.get(serial);
  }

  /**
   * Reads every phone's state again (another node's reports change rows this process did not write): one
   * narrow query, for the queue's explanations.
   */
  async refreshStates(): Promise<void> {
    const rows = await this.allStates();
    this.states.clear();
    for (const row of rows) this.states.set(row.serial, pick(row));
  }

  /** Reads one phone's state again (another node just reported it). */
  async refreshState(serial: string): Promise<void> {
    const row = await this.get(serial);
    if (row) this.states.set(serial, pick(row));
    else this.states.delete(serial);
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

  /**
   * This node's report of a phone. Online, it takes the row (the phone is this node's now); offline or
   * unauthorized, it changes the row only where this node holds it or no node has it online: a phone that
   * another node still sees stays online.
   */
  async upsert(row: DeviceUpsert): Promise<void> {
    const { q, t } = this.h;
    const { devices } = t;
    const { serial, firstSeen, ...rest } = row;
    const set = { ...rest, node: this.node };
    const [written] = await q
      .insert(devices)
      .values({ serial, firstSeen: firstSeen ?? row.lastSeen, ...set })
      .onConflictDoUpdate({
        target: devices.serial,
        set,
        setWhere: row.state === "online" ? undefined : or(this.mine(), ne(devices.state, "online")),
      })
      .returning(stateColumns(devices));
    if (written) this.states.set(serial, pick(written));
    else await this.refreshState(serial);
  }

  /** Forgets the phone, unless another node has it online (then it stays that node's). */
  async delete(serial: string): Promise<void> {
    const { q, t } = this.h;
    const gone = await q
      .delete(t.devices)
      .where(and(eq(t.devices.serial, serial), or(this.mine(), ne(t.devices.state, "online"))))
      .returning({ serial: t.devices.serial });
    if (gone.length > 0) this.states.delete(serial);
  }

  /** Whether this node answers for the phone: it holds it, or it is a row of before the farm had nodes. */
  holds(row: Pick<DeviceRow, "node">): boolean {
    return row.node === null || row.node === this.node;
  }

  /** Forgets this node's phones that were attached for one run only (demo phones). */
  async deleteEphemeral(): Promise<void> {
    const { q, t } = this.h;
    const gone = await q
      .delete(t.devices)
      .where(and(eq(t.devices.ephemeral, true), this.mine()))
      .returning({ serial: t.devices.serial });
    for (const { serial } of gone) this.states.delete(serial);
  }

  /** The phones this node holds that its last read or write showed online. */
  heldOnline(): string[] {
    return [...this.states]
      .filter(([, row]) => row.state === "online" && this.holds(row))
      .map(([serial]) => serial);
  }

  /** These phones, which this node's fleet no longer knows, are offline where this node still holds them online. */
  async markGone(serials: string[]): Promise<void> {
    if (serials.length === 0) return;
    const { q, t } = this.h;
    const { devices } = t;
    const rows = await q
      .update(devices)
      .set({ state: "offline" })
      .where(and(inArray(devices.serial, serials), eq(devices.state, "online"), this.mine()))
      .returning(stateColumns(devices));
    for (const row of rows) this.states.set(row.serial, pick(row));
  }

  /**
   * Node `stopped` stopped: the phones it held are offline, `hint` saying why, but those of `seenHere` (online
   * on this node) are this node's now. Returns the serials shown offline.
   */
  async nodeStopped(stopped: string, hint: string, seenHere: string[]): Promise<string[]> {
    const { q, t } = this.h;
    const { devices } = t;
    const held = eq(devices.node, stopped);
    const offline = await q
      .update(devices)
      .set({ state: "offline", hint })
      .where(seenHere.length > 0 ? and(held, notInArray(devices.serial, seenHere)) : held)
      .returning(stateColumns(devices));
    const taken =
      seenHere.length > 0
        ? await q
            .update(devices)
            .set({ node: this.node })
            .where(and(held, inArray(devices.serial, seenHere)))
            .returning(stateColumns(devices))
        : [];
    for (const row of [...offline, ...taken]) this.states.set(row.serial, pick(row));
    return offline.map((r) => r.serial);
  }

  /**
   * At start-up none of this node's phones is known to be online until its fleet says so. `everyRow`: the farm
   * is this one PC (SQLite), whose rows are all its own whatever name they were written under (a renamed PC).
   */
  async markAllOffline(everyRow = false): Promise<void> {
    const { q, t } = this.h;
    const rows = await q
      .update(t.devices)
      .set(everyRow ? { state: "offline", node: this.node } : { state: "offline" })
      .where(everyRow ? undefined : this.mine())
      .returning(stateColumns(t.devices));
    for (const row of rows) this.states.set(row.serial, pick(row));
  }
}

const stateColumns = (d: Handle["t"]["devices"]) => ({
  serial: d.serial,
  state: d.state,
  transport: d.transport,
  hint: d.hint,
  node: d.node,
});

const pick = ({ state, transport, hint, node }: PhoneState): PhoneState => ({ state, transport, hint, node });
