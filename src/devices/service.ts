// The devices, as the API sees them: what the store remembers, what the fleet knows now, what each is doing.

import { AppError, Code } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { AccountStore } from "../store/accounts.ts";
import type { DeviceStore } from "../store/devices.ts";
import type { AccountRow, DeviceRow } from "../store/schema.ts";
import type { TaskStore } from "../store/tasks.ts";
import { type AdbState, ConnectError, type DeviceInfo, type FastUiStatus, type Fleet } from "./index.ts";
import { type Screenshot, Screenshots, type ScreenshotWish } from "./screenshots.ts";

export type { DeviceRow };

export type DeviceLoad = { running: number | null; queued: number };

/** Whether a phone counts as this PC's when it is online here, or attached here at all. */
type Attached = "online" | "attached";

export class DeviceService {
  readonly #screenshots: Screenshots;
  /** The fleet's reports, written in the order they came. */
  #writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly fleet: Fleet,
    private readonly store: DeviceStore,
    private readonly tasks: TaskStore,
    private readonly accounts: AccountStore,
    now: () => number = Date.now,
  ) {
    this.#screenshots = new Screenshots(now);
  }

  /**
   * Before the fleet starts: this node's demo phones were for their run only; every other phone is who the
   * store says it was.
   */
  async init(): Promise<void> {
    await this.store.deleteEphemeral();
    for (const row of await this.store.list()) {
      if (row.hardwareSerial) this.fleet.recall(row.serial, row.hardwareSerial);
    }
  }

  /**
   * Writes what the fleet reports into the store (phones are remembered across restarts), one report after
   * the other; settles once this one is written.
   */
  record(info: DeviceInfo): Promise<void> {
    return this.inTurn(() => this.write(info));
  }

  /** Runs `write` after the writes queued before it; settles once it is done. */
  private inTurn(write: () => Promise<void>): Promise<void> {
    const done = this.#writes.then(write);
    this.#writes = done.catch(() => {});
    return done;
  }

  /** Settles once the reports so far are written. */
  written(): Promise<void> {
    return this.#writes;
  }

  private write(info: DeviceInfo): Promise<void> {
    return this.store.upsert({
      serial: info.serial,
      transport: info.transport,
      state: info.state,
      model: info.model,
      brand: info.brand,
      androidVersion: info.android_version,
      sdk: info.sdk,
      screenWidth: info.screen?.width ?? null,
      screenHeight: info.screen?.height ?? null,
      battery: info.battery,
      hint: info.hint,
      hardwareSerial: info.hardware_serial,
      ephemeral: info.ephemeral,
      firstSeen: info.first_seen.getTime(),
      lastSeen: info.last_seen.getTime(),
    });
  }

  /** Every phone of the farm (with `node`, those that node holds), by serial. */
  async list(node?: string): Promise<{ row: DeviceRow; load: DeviceLoad | undefined }[]> {
    const load = await this.tasks.loadByDevice();
    const rows = await this.store.list();
    return rows
      .filter((row) => node === undefined || row.node === node)
      .map((row) => ({ row, load: load.get(row.serial) }));
  }

  async get(
    serial: string,
  ): Promise<{ row: DeviceRow; load: DeviceLoad | undefined; accounts: AccountRow[] }> {
    const row = await this.store.get(serial);
    if (!row) throw new AppError(Code.notFound, `device '${serial}' has never been seen`);
    return {
      row,
      load: (await this.tasks.loadByDevice(serial)).get(serial),
      accounts: await this.accounts.onDevice(serial),
    };
  }

  /** The node that holds the phone; null: this PC (or not said), or a phone never seen. */
  async holderOf(serial: string, attachedHere: Attached = "online"): Promise<string | null> {
    if (this.hasHere(serial, attachedHere)) return null;
    return (await this.store.get(serial))?.node ?? null;
  }

  /** holderOf for a phone whose row is in hand (`node`, its row's): no read of the store. */
  holderFrom(serial: string, node: string | null): string | null {
    return this.hasHere(serial, "online") ? null : node;
  }

  /**
   * A phone two PCs reach is answered by the one asked while it has it (online, or attached at all for a
   * detach: each PC detaches its own attachment).
   */
  private hasHere(serial: string, attachedHere: Attached): boolean {
    const here = this.fleet.get(serial);
    return !!here && (attachedHere === "attached" || here.state === "online");
  }

  /** The adb server's state and what to do about it (phones behind it are unseen unless "ok"). */
  adb(): AdbState {
    return this.fleet.adb;
  }

  /**
   * The farm's rows brought in line with what this node sees, on each heartbeat (many PCs): a phone it sees
   * online that the rows show otherwise (another node lost it and said so, or a report was not saved while the
   * database was away) is reported again, so this node holds it; one it holds online there but no longer sees
   * online is reported as it is now. Every phone's state is read again for the queue's explanations. One read;
   * writes only where the rows are behind.
   */
  async reassert(): Promise<void> {
    await this.store.refreshStates();
    const seen = new Map(this.fleet.list().map((d) => [d.serial, d]));
    const behind = [...seen.values()].filter((d) => {
      if (d.state !== "online") return false;
      const row = this.store.stateOf(d.serial);
      return row?.state !== "online" || row.node === null;
    });
    const lost = this.store.heldOnline().filter((serial) => seen.get(serial)?.state !== "online");
    const gone = lost.filter((serial) => !seen.has(serial));
    await Promise.all([
      ...behind.map((d) => this.record(d)),
      ...lost.flatMap((serial) => {
        const d = seen.get(serial);
        return d ? [this.record(d)] : [];
      }),
    ]);
    // in turn with the fleet's reports: one attached again meanwhile is known to the fleet by then
    if (gone.length > 0) await this.inTurn(() => this.store.markGone(gone.filter((s) => !this.fleet.get(s))));
  }

  onlineSerials(): string[] {
    return this.fleet
      .list()
      .filter((d) => d.state === "online")
      .map((d) => d.serial);
  }

  /** The phone's screen as PNG: a capture shared with concurrent requests, reused while young enough. */
  async screenshot(serial: string, wish: ScreenshotWish): Promise<Screenshot> {
    await this.get(serial);
    const phone = this.fleet.phone(serial);
    if (!phone) throw new AppError(Code.conflict, `device '${serial}' is not online`);
    return this.#screenshots.take(serial, phone, wish);
  }

  async connect(host: string, port: number, direct: boolean): Promise<DeviceInfo> {
    const info = await this.fleet.connect(host, port, { direct }).catch((e) => {
      throw e instanceof ConnectError ? AppError.invalid(e.message) : e;
    });
    await this.record(info);
    return info;
  }

  async disconnect(host: string, port: number): Promise<void> {
    const serial = `${host}:${port}`;
    if (!(await this.store.get(serial)) && !this.fleet.get(serial)) {
      throw new AppError(Code.notFound, `no network phone ${serial} is attached`);
    }
    await this.fleet.disconnect(host, port);
    // detached on purpose: forgotten, so that it is not attached again at the next start
    await this.#writes;
    await this.store.delete(serial);
  }

  /** Fast UI on the phone: whether it is wanted and how it goes. */
  fastUi(serial: string): FastUiStatus {
    return this.fleet.fastUi.status(serial);
  }

  /** Turns fast UI on or off for one phone (remembered across restarts); started or stopped now when online. */
  async setFastUi(serial: string, enabled: boolean): Promise<FastUiStatus> {
    await this.get(serial);
    return this.fleet.fastUi.setEnabled(serial, enabled);
  }

  /** Turns fast UI off for the phone and uninstalls Appium's server from it; the packages removed. */
  async removeFastUi(serial: string): Promise<{ removed: string[]; fastUi: FastUiStatus }> {
    await this.get(serial);
    if (!this.fleet.phone(serial)) {
      await this.fleet.fastUi.setEnabled(serial, false);
      throw new AppError(
        Code.conflict,
        `device '${serial}' is not online: fast UI is off for it, nothing removed`,
      );
    }
    const removed = await this.fleet.fastUi.remove(serial, AbortSignal.timeout(60_000));
    if (removed === null) throw new AppError(Code.conflict, `device '${serial}' is not online`);
    return { removed, fastUi: this.fleet.fastUi.status(serial) };
  }

  /**
   * This node's phones attached directly (not through the adb server) are attached again after a restart;
   * another node's are that node's to attach.
   */
  async reattachDirect(log: Logger): Promise<void> {
    const direct = (await this.store.list()).filter((d) => d.transport === "direct" && this.store.holds(d));
    await Promise.all(
      direct.map(async (d) => {
        const m = /^(.+):(\d+)$/.exec(d.serial);
        if (!m?.[1] || !m[2]) return;
        await this.fleet.connect(m[1], Number(m[2]), { direct: true, keepTrying: true }).catch((e) => {
          log.child({ phone: d.serial }).warn(`could not reattach: ${(e as Error).message}`);
        });
      }),
    );
  }
}
