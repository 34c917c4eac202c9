/**
 * The fleet's shared memory: one entry per phone (whichever source found it), its facts and state,
 * who each address was, and the `change` events every update fires.
 */

import type { DeviceState, Transport } from "../domain.ts";
import type { Logger } from "../log.ts";
import { withTimeout } from "./adb-server.ts";
import type { PhoneDetails } from "./phone/properties.ts";
import type { Phone } from "./phone.ts";

/** A phone as the fleet knows it; `hardware_serial` is the phone first seen at this serial, null until read. */
export interface DeviceInfo extends PhoneDetails {
  serial: string;
  transport: Transport;
  state: DeviceState;
  hint: string | null;
  /** Attached for this run only (demo phones): never remembered to be attached again. */
  ephemeral: boolean;
  first_seen: Date;
  last_seen: Date;
}

export const UNAUTHORIZED_HINT = "accept the USB debugging prompt on the phone";
export const ADB_DOWN_HINT = "the adb server does not answer";

/** Why a phone's queued tasks are held: another phone answers at its address. */
export function impostorHint(address: string, found: string, expected: string): string {
  return (
    `a different phone (serial ${found}) now answers at ${address}, not ${expected}: its tasks are held. ` +
    `When ${expected} is back at this address they run; if the new phone should take its place, delete ` +
    `the tasks not meant for it, then detach and attach ${address} again (POST /api/v1/device/disconnect, /connect)`
  );
}

export type Source = "server" | "direct";

export interface Entry {
  info: DeviceInfo;
  source: Source;
  phone: Phone | undefined;
  transportId: bigint | undefined;
  /** Another phone answered on this server transport: not opened again before this time (ms). */
  heldUntil: number;
  attaching: boolean;
  /** Bumped on every (dis)connection, so late results of an old connection are dropped. */
  generation: number;
  /** No events while a first connection attempt may still be taken back. */
  quiet: boolean;
}

/** What came of reading a new connection's facts. */
export type OnlineResult = "online" | "dropped" | "held";

function copy(info: DeviceInfo): DeviceInfo {
  return {
    ...info,
    screen: info.screen ? { ...info.screen } : null,
    first_seen: new Date(info.first_seen),
    last_seen: new Date(info.last_seen),
  };
}

function sameFacts(a: DeviceInfo, b: DeviceInfo): boolean {
  return (
    a.state === b.state &&
    a.transport === b.transport &&
    a.hardware_serial === b.hardware_serial &&
    a.model === b.model &&
    a.brand === b.brand &&
    a.android_version === b.android_version &&
    a.sdk === b.sdk &&
    a.battery === b.battery &&
    a.hint === b.hint &&
    a.screen?.width === b.screen?.width &&
    a.screen?.height === b.screen?.height
  );
}

export class Registry {
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<(info: DeviceInfo) => void>();
  /** The hardware serial each serial belongs to, also for phones not attached yet (from the store). */
  readonly #identities = new Map<string, string>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  entries(): IterableIterator<Entry> {
    return this.#entries.values();
  }

  find(serial: string): Entry | undefined {
    return this.#entries.get(serial);
  }

  list(): DeviceInfo[] {
    return [...this.#entries.values()]
      .map((e) => copy(e.info))
      .sort((a, b) => a.serial.localeCompare(b.serial));
  }

  get(serial: string): DeviceInfo | undefined {
    const e = this.#entries.get(serial);
    return e ? copy(e.info) : undefined;
  }

  listen(listener: (info: DeviceInfo) => void): () => void {
    this.#listeners.add(listener);
    return () => this.unlisten(listener);
  }

  unlisten(listener: (info: DeviceInfo) => void): void {
    this.#listeners.delete(listener);
  }

  /** Remembers that `serial` is the phone with this hardware serial. */
  recall(serial: string, hardwareSerial: string): void {
    this.#identities.set(serial, hardwareSerial);
    const e = this.#entries.get(serial);
    if (e && e.info.hardware_serial === null) e.info.hardware_serial = hardwareSerial;
  }

  entry(serial: string, source: Source, transport: Transport): Entry {
    let e = this.#entries.get(serial);
    if (!e) {
      const now = new Date();
      e = {
        info: {
          serial,
          transport,
          state: "offline",
          hardware_serial: this.#identities.get(serial) ?? null,
          model: null,
          brand: null,
          android_version: null,
          sdk: null,
          screen: null,
          battery: null,
          hint: null,
          ephemeral: false,
          first_seen: now,
          last_seen: now,
        },
        source,
        phone: undefined,
        transportId: undefined,
        heldUntil: 0,
        attaching: false,
        generation: 0,
        quiet: false,
      };
      this.#entries.set(serial, e);
    }
    return e;
  }

  /** Drops the entry without a word (an attempt taken back); who the serial belongs to is kept. */
  remove(serial: string): void {
    this.#entries.delete(serial);
  }

  /** Forgets a phone entirely, and who its serial belonged to (detached on purpose). */
  forget(serial: string): void {
    this.#entries.delete(serial);
    this.#identities.delete(serial);
  }

  update(entry: Entry, patch: Partial<DeviceInfo>, forceEmit = false): void {
    const before = copy(entry.info);
    Object.assign(entry.info, patch);
    if (entry.info.state !== "offline") entry.info.last_seen = new Date();
    if (forceEmit || !sameFacts(before, entry.info)) this.emit(entry);
  }

  emit(entry: Entry): void {
    if (entry.quiet) return;
    const info = copy(entry.info);
    for (const listener of this.#listeners) {
      try {
        listener(info);
      } catch (e) {
        this.#log.child({ phone: info.serial }).warn(`a change listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** Forgets the entry's connection and shows it in `state`. */
  async drop(entry: Entry, state: DeviceState, hint: string | null): Promise<void> {
    entry.generation++;
    const phone = entry.phone;
    entry.phone = undefined;
    entry.transportId = undefined;
    this.update(entry, { state, hint });
    await phone?.close();
  }

  /**
   * Reads a new connection's facts, then shows the phone online, unless it dropped meanwhile,
   * answers no command, or is another phone than the one this serial belongs to ("held").
   */
  async goOnline(
    entry: Entry,
    phone: Phone,
    generation: number,
    fallbackModel?: string,
  ): Promise<OnlineResult> {
    const details: PhoneDetails | null = await withTimeout(phone.details({ timeoutMs: 5000 }), 6000).catch(
      () => null,
    );
    if (generation !== entry.generation || phone.closed) {
      await phone.close();
      return "dropped";
    }
    if (!details || Object.values(details).every((v) => v === null)) {
      // Connected, but not one command answered: not usable, whatever the transport says.
      await phone.close();
      this.update(entry, { state: "offline", hint: "connected but not answering commands" });
      return "dropped";
    }
    const serial = entry.info.serial;
    const expected = this.#identities.get(serial);
    if (expected && details.hardware_serial && details.hardware_serial !== expected) {
      await phone.close();
      this.update(entry, { state: "offline", hint: impostorHint(serial, details.hardware_serial, expected) });
      return "held";
    }
    if (details.hardware_serial) this.#identities.set(serial, details.hardware_serial);
    entry.phone = phone;
    const facts: Partial<DeviceInfo> = {};
    for (const [k, v] of Object.entries(details)) {
      if (v !== null) (facts as Record<string, unknown>)[k] = v;
    }
    if (!facts.model && !entry.info.model && fallbackModel) facts.model = fallbackModel.replaceAll("_", " ");
    this.update(entry, { ...facts, state: "online", hint: null });
    phone.goneSignal.addEventListener(
      "abort",
      () => {
        if (entry.phone === phone) void this.drop(entry, "offline", null);
      },
      { once: true },
    );
    return "online";
  }

  async refreshBatteries(): Promise<void> {
    await Promise.all(
      [...this.#entries.values()].map(async (entry) => {
        const phone = entry.phone;
        if (!phone || entry.info.state !== "online") return;
        const generation = entry.generation;
        const battery = await phone.battery({ timeoutMs: 5000 }).catch(() => undefined);
        if (battery === undefined || generation !== entry.generation) return;
        this.update(entry, { battery }, true);
      }),
    );
  }

  /** Closes every connection (the fleet stops). */
  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.#entries.values()].map(async (e) => {
        const phone = e.phone;
        e.phone = undefined;
        e.generation++;
        await phone?.close();
      }),
    );
  }
}
