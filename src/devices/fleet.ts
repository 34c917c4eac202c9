/**
 * The fleet: every phone we know, how it is connected, and whether it is usable right now.
 *
 * - Phones behind the adb server (USB, and network phones the server knows) are found by polling
 *   `host:devices-l` every second (ya-webadb's tracker never reports `offline`) and diffing.
 * - Network phones can be attached through the server (`host:connect`) or directly (own TCP
 *   connection, own RSA key); the fleet reconnects both when they drop, with backoff.
 * - For each phone that comes online, model/brand/Android version/SDK/screen/battery are read once;
 *   the battery every 30 s. Every change of state or facts fires a `change` event with a DeviceInfo.
 */
import { Adb, AdbServerClient } from "@yume-chan/adb";
import { AdbServer, type AdbServerAddress, type AdbStatus, type Log, withTimeout } from "./adb-server.ts";
import { connectDirect } from "./direct.ts";
import { FileCredentialStore } from "./keys.ts";
import { Phone, type PhoneDetails, type ScreenSize, type Transport } from "./phone.ts";
import { ServerDeviceTransport } from "./server-transport.ts";

export type DeviceState = import("../domain.ts").DeviceState;

export interface DeviceInfo {
  serial: string;
  transport: Transport;
  state: DeviceState;
  model: string | null;
  brand: string | null;
  android_version: string | null;
  sdk: number | null;
  screen: ScreenSize | null;
  battery: number | null;
  hint: string | null;
  first_seen: Date;
  last_seen: Date;
}

export const UNAUTHORIZED_HINT = "accept the USB debugging prompt on the phone";
export const ADB_DOWN_HINT = "the adb server does not answer";

export interface FleetOptions {
  /** Folder for the RSA key used by direct connections (`adbkey`, `adbkey.pub`). */
  dataDir: string;
  /** Where the adb server listens (default 127.0.0.1:5037); `false` to use direct connections only. */
  adbServer?: AdbServerAddress | false;
  /** The adb executable used to start the server when it does not answer (default "adb" on PATH). */
  adbPath?: string;
  /** How often the server's device list is read (default 1000 ms). */
  pollMs?: number;
  /** How often the battery of online phones is refreshed (default 30 s). */
  batteryMs?: number;
  /** How often a direct phone is checked for life (default 1000 ms; it is dropped after 1.5 s of silence). */
  pingMs?: number;
  /** Backoff bounds for reconnecting network phones (default 500 ms … 5 s). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  onChange?: (info: DeviceInfo) => void;
  log?: Log;
}

interface Entry {
  info: DeviceInfo;
  source: "server" | "direct";
  phone: Phone | undefined;
  transportId: bigint | undefined;
  attaching: boolean;
  /** Bumped on every (dis)connection, so late results of an old connection are dropped. */
  generation: number;
}

interface DirectLink {
  host: string;
  port: number;
  serial: string;
  stopped: boolean;
  /** Aborts a connection attempt in progress when the link stops. */
  abort: AbortController;
  wake: (() => void) | undefined;
  done: Promise<void>;
}

interface ServerTarget {
  host: string;
  port: number;
  lastTry: number;
  busy: boolean;
}

const defaultLog: Log = (level, message) => {
  const line = `[devices] ${message}`;
  if (level === "warn") console.warn(line);
  else console.info(line);
};

/** Network serials look like HOST:PORT (or an mDNS name); anything else came over USB. */
export function transportOfSerial(serial: string): "usb" | "tcp" {
  return /^(\[[^\]]+\]|[^:\s]+):\d+$/.test(serial) || serial.includes("._adb-tls-connect.") ? "tcp" : "usb";
}

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

export class Fleet {
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<(info: DeviceInfo) => void>();
  readonly #links = new Map<string, DirectLink>();
  readonly #targets = new Map<string, ServerTarget>();
  readonly #server: AdbServer | undefined;
  readonly #keys: FileCredentialStore;
  readonly #log: Log;
  readonly #pollMs: number;
  readonly #batteryMs: number;
  readonly #pingMs: number;
  readonly #backoffMin: number;
  readonly #backoffMax: number;
  #running = false;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #batteryTimer: ReturnType<typeof setInterval> | undefined;
  #polling: Promise<void> | undefined;

  constructor(options: FleetOptions) {
    this.#log = options.log ?? defaultLog;
    this.#keys = new FileCredentialStore(options.dataDir);
    this.#server =
      options.adbServer === false
        ? undefined
        : new AdbServer(options.adbServer ?? {}, { adbPath: options.adbPath, log: this.#log });
    this.#pollMs = options.pollMs ?? 1000;
    this.#batteryMs = options.batteryMs ?? 30_000;
    this.#pingMs = options.pingMs ?? 1000;
    this.#backoffMin = options.reconnectMinMs ?? 500;
    this.#backoffMax = options.reconnectMaxMs ?? 5000;
    if (options.onChange) this.#listeners.add(options.onChange);
  }

  // ---- public surface ------------------------------------------------------------------------------

  /** "ok" when the adb server answers (or none is used), "unreachable" otherwise. */
  get adbStatus(): AdbStatus {
    return this.#server ? this.#server.status : "ok";
  }

  /** The key store used for direct connections. */
  get credentialStore(): FileCredentialStore {
    return this.#keys;
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

  /** The phone's verbs, only while it is online. */
  phone(serial: string): Phone | undefined {
    const e = this.#entries.get(serial);
    return e && e.info.state === "online" && e.phone && !e.phone.closed ? e.phone : undefined;
  }

  on(event: "change", listener: (info: DeviceInfo) => void): () => void {
    if (event !== "change") throw new TypeError(`unknown event ${event}`);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  off(event: "change", listener: (info: DeviceInfo) => void): void {
    if (event === "change") this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    if (this.#server) {
      await this.#server.check();
      this.#schedulePoll(0);
    }
    this.#batteryTimer = setInterval(() => void this.#refreshBatteries(), this.#batteryMs);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    if (this.#batteryTimer) clearInterval(this.#batteryTimer);
    this.#pollTimer = undefined;
    this.#batteryTimer = undefined;
    const links = [...this.#links.values()];
    for (const link of links) this.#stopLink(link);
    await this.#polling?.catch(() => {});
    await Promise.all(links.map((l) => l.done.catch(() => {})));
    await Promise.all(
      [...this.#entries.values()].map(async (e) => {
        const phone = e.phone;
        e.phone = undefined;
        e.generation++;
        await phone?.close();
      }),
    );
  }

  /**
   * Attaches a network phone: through the adb server (`host:connect`), or with `direct: true` over
   * our own TCP connection. The fleet keeps it connected until `disconnect`. Resolves with its info
   * after the first attempt; a phone that cannot be reached is listed offline with the reason as hint.
   */
  async connect(host: string, port: number, options: { direct?: boolean } = {}): Promise<DeviceInfo> {
    const serial = `${host}:${port}`;
    const wantDirect = options.direct === true || !this.#server;
    const owner = this.#entries.get(serial)?.source;
    if (owner && (owner === "direct") !== wantDirect) {
      await this.disconnect(host, port); // switching how this phone is reached
    }
    if (wantDirect) {
      let link = this.#links.get(serial);
      if (!link) {
        const entry = this.#entry(serial, "direct", "direct");
        let firstDone!: () => void;
        const first = new Promise<void>((resolve) => {
          firstDone = resolve;
        });
        link = {
          host,
          port,
          serial,
          stopped: false,
          abort: new AbortController(),
          wake: undefined,
          done: Promise.resolve(),
        };
        this.#links.set(serial, link);
        link.done = this.#runLink(link, entry, firstDone);
        // An address that accepts TCP but stays silent could hold the caller ~15 s: answer sooner.
        await Promise.race([first, Bun.sleep(8000)]);
      }
      return this.get(serial) as DeviceInfo;
    }
    const target: ServerTarget = this.#targets.get(serial) ?? { host, port, lastTry: 0, busy: false };
    this.#targets.set(serial, target);
    const error = this.#server.status === "ok" ? await this.#serverConnect(target) : ADB_DOWN_HINT;
    await this.#pollNow();
    // Give a phone the server just accepted a moment to be read and shown online.
    const deadline = Date.now() + 3000;
    while (!error && Date.now() < deadline && this.#entries.get(serial)?.info.state !== "online") {
      if (this.#entries.get(serial)?.info.state === "unauthorized") break;
      await Bun.sleep(50);
    }
    const entry = this.#entries.get(serial) ?? this.#entry(serial, "server", "tcp");
    if (error && entry.info.state !== "online") {
      const unauthorized = error === UNAUTHORIZED_HINT || entry.info.state === "unauthorized";
      this.#update(entry, { state: unauthorized ? "unauthorized" : "offline", hint: error });
    }
    return copy(entry.info);
  }

  /** Detaches a network phone (server or direct) and forgets it. */
  async disconnect(host: string, port: number): Promise<void> {
    const serial = `${host}:${port}`;
    const link = this.#links.get(serial);
    if (link) {
      this.#stopLink(link);
      await link.done.catch(() => {});
    }
    if (this.#targets.delete(serial) || (this.#server && !link)) {
      await this.#server?.disconnect(host, port).catch(() => {});
    }
    const entry = this.#entries.get(serial);
    if (entry) {
      await this.#drop(entry, "offline", null);
      this.#entries.delete(serial);
    }
  }

  // ---- entries and events --------------------------------------------------------------------------

  #entry(serial: string, source: Entry["source"], transport: Transport): Entry {
    let e = this.#entries.get(serial);
    if (!e) {
      const now = new Date();
      e = {
        info: {
          serial,
          transport,
          state: "offline",
          model: null,
          brand: null,
          android_version: null,
          sdk: null,
          screen: null,
          battery: null,
          hint: null,
          first_seen: now,
          last_seen: now,
        },
        source,
        phone: undefined,
        transportId: undefined,
        attaching: false,
        generation: 0,
      };
      this.#entries.set(serial, e);
    }
    return e;
  }

  #update(entry: Entry, patch: Partial<DeviceInfo>, forceEmit = false): void {
    const before = copy(entry.info);
    Object.assign(entry.info, patch);
    if (entry.info.state !== "offline") entry.info.last_seen = new Date();
    if (forceEmit || !sameFacts(before, entry.info)) this.#emit(entry);
  }

  #emit(entry: Entry): void {
    const info = copy(entry.info);
    for (const listener of this.#listeners) {
      try {
        listener(info);
      } catch (e) {
        this.#log("warn", `a change listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** Forgets the entry's connection and shows it in `state`. */
  async #drop(entry: Entry, state: DeviceState, hint: string | null): Promise<void> {
    entry.generation++;
    const phone = entry.phone;
    entry.phone = undefined;
    entry.transportId = undefined;
    this.#update(entry, { state, hint });
    await phone?.close();
  }

  /** Reads a new connection's facts, then shows the phone online (unless it dropped meanwhile). */
  async #goOnline(entry: Entry, phone: Phone, generation: number, fallbackModel?: string): Promise<boolean> {
    const details: PhoneDetails | null = await withTimeout(phone.details({ timeoutMs: 5000 }), 6000).catch(
      () => null,
    );
    if (generation !== entry.generation || phone.closed) {
      await phone.close();
      return false;
    }
    if (!details || Object.values(details).every((v) => v === null)) {
      // Connected, but not one command answered: not usable, whatever the transport says.
      await phone.close();
      this.#update(entry, { state: "offline", hint: "connected but not answering commands" });
      return false;
    }
    entry.phone = phone;
    const facts: Partial<DeviceInfo> = {};
    if (details) {
      for (const [k, v] of Object.entries(details)) {
        if (v !== null) (facts as Record<string, unknown>)[k] = v;
      }
    }
    if (!facts.model && !entry.info.model && fallbackModel) facts.model = fallbackModel.replaceAll("_", " ");
    this.#update(entry, { ...facts, state: "online", hint: null });
    phone.goneSignal.addEventListener(
      "abort",
      () => {
        if (entry.phone === phone) void this.#drop(entry, "offline", null);
      },
      { once: true },
    );
    return true;
  }

  async #refreshBatteries(): Promise<void> {
    await Promise.all(
      [...this.#entries.values()].map(async (entry) => {
        const phone = entry.phone;
        if (!phone || entry.info.state !== "online") return;
        const generation = entry.generation;
        const battery = await phone.battery({ timeoutMs: 5000 }).catch(() => undefined);
        if (battery === undefined || generation !== entry.generation) return;
        this.#update(entry, { battery }, true);
      }),
    );
  }

  // ---- adb server ----------------------------------------------------------------------------------

  #schedulePoll(delay: number): void {
    if (!this.#running) return;
    this.#pollTimer = setTimeout(() => {
      this.#polling = this.#poll().catch((e) =>
        this.#log("warn", `device poll failed: ${(e as Error).message}`),
      );
      void this.#polling.then(() =>
        this.#schedulePoll(this.#server?.status === "ok" ? this.#pollMs : Math.max(this.#pollMs, 3000)),
      );
    }, delay);
  }

  async #pollNow(): Promise<void> {
    await this.#polling?.catch(() => {});
    this.#polling = this.#poll().catch(() => {});
    await this.#polling;
  }

  async #poll(): Promise<void> {
    const server = this.#server;
    if (!server || !this.#running) return;
    let devices: AdbServerClient.Device[];
    try {
      devices = await withTimeout(server.client.getDevices(["device", "unauthorized", "offline"]), 3000);
      if (server.status !== "ok") await server.check();
    } catch {
      server.markUnreachable();
      for (const entry of this.#entries.values()) {
        if (entry.source === "server" && entry.info.state !== "offline") {
          await this.#drop(entry, "offline", ADB_DOWN_HINT);
        }
      }
      await server.check();
      return;
    }
    const seen = new Set<string>();
    for (const d of devices) {
      seen.add(d.serial);
      const existing = this.#entries.get(d.serial);
      if (existing && existing.source === "direct") continue; // the same address attached directly
      const entry = this.#entry(d.serial, "server", transportOfSerial(d.serial));
      if (d.state === "device") {
        entry.info.last_seen = new Date();
        const stale = entry.transportId !== undefined && entry.transportId !== d.transportId;
        if (stale) await this.#drop(entry, "offline", null);
        if (!entry.phone && !entry.attaching) void this.#attachServer(entry, d.transportId, d.model);
      } else {
        const hint = d.state === "unauthorized" ? UNAUTHORIZED_HINT : null;
        if (entry.phone || entry.info.state !== d.state || entry.info.hint !== hint) {
          await this.#drop(entry, d.state, hint);
        }
      }
    }
    for (const entry of this.#entries.values()) {
      if (
        entry.source === "server" &&
        !seen.has(entry.info.serial) &&
        (entry.phone || entry.info.state !== "offline")
      ) {
        await this.#drop(entry, "offline", null);
      }
    }
    // Network phones we attached that the server lost or holds offline: attach them again.
    const listed = new Map(devices.map((d) => [d.serial, d.state]));
    for (const [serial, target] of this.#targets) {
      const state = listed.get(serial);
      if (
        (state === undefined || state === "offline") &&
        !target.busy &&
        Date.now() - target.lastTry > 2000
      ) {
        void this.#serverConnect(target).then((error) => {
          const entry = this.#entries.get(serial);
          if (!error || !entry || entry.source !== "server" || !this.#targets.has(serial)) return;
          if (entry.info.state === "online") return;
          this.#update(entry, {
            state: error === UNAUTHORIZED_HINT ? "unauthorized" : "offline",
            hint: error,
          });
        });
      }
    }
  }

  async #attachServer(entry: Entry, transportId: bigint, model?: string): Promise<void> {
    const server = this.#server;
    if (!server) return;
    entry.attaching = true;
    const generation = ++entry.generation;
    try {
      const inner = await withTimeout(server.client.createTransport({ transportId }), 5000);
      const adb = new Adb(new ServerDeviceTransport(server.client, inner));
      const phone = new Phone(adb, { serial: entry.info.serial, transport: entry.info.transport });
      if (generation !== entry.generation) {
        await phone.close();
        return;
      }
      entry.transportId = transportId;
      await this.#goOnline(entry, phone, generation, model);
    } catch (e) {
      this.#log("warn", `cannot open ${entry.info.serial} through the adb server: ${(e as Error).message}`);
    } finally {
      entry.attaching = false;
    }
  }

  /** `host:connect` (after `host:disconnect` when the server holds a stale transport); error text or null. */
  async #serverConnect(target: ServerTarget): Promise<string | null> {
    const server = this.#server;
    if (!server || target.busy) return null;
    target.busy = true;
    target.lastTry = Date.now();
    const address = `${target.host}:${target.port}`;
    try {
      const state = this.#entries.get(address)?.info.state;
      if (state === "offline")
        await withTimeout(server.disconnect(target.host, target.port), 3000).catch(() => {});
      try {
        await withTimeout(server.connect(target.host, target.port), 10_000);
      } catch (e) {
        if (!(e instanceof AdbServerClient.AlreadyConnectedError)) throw e;
        const current = (await server.client.getDevices(["device", "unauthorized", "offline"])).find(
          (d) => d.serial === address,
        );
        if (current?.state === "offline") {
          await server.disconnect(target.host, target.port);
          await server.connect(target.host, target.port);
        }
      }
      return null;
    } catch (e) {
      if (e instanceof AdbServerClient.UnauthorizedError) return UNAUTHORIZED_HINT;
      if (e instanceof AdbServerClient.NetworkError) return (e as Error).message;
      return `cannot reach ${address}: ${(e as Error).message}`;
    } finally {
      target.busy = false;
    }
  }

  // ---- direct connections --------------------------------------------------------------------------

  #stopLink(link: DirectLink): void {
    link.stopped = true;
    this.#links.delete(link.serial);
    link.abort.abort();
    link.wake?.();
    const entry = this.#entries.get(link.serial);
    if (entry?.phone) void entry.phone.close();
  }

  async #sleep(link: DirectLink, ms: number): Promise<void> {
    if (link.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      link.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    link.wake = undefined;
  }

  async #runLink(link: DirectLink, entry: Entry, firstDone: () => void): Promise<void> {
    let backoff = this.#backoffMin;
    let prompted = false;
    while (!link.stopped) {
      prompted = false;
      try {
        const adb = await connectDirect({
          host: link.host,
          port: link.port,
          credentialStore: this.#keys,
          signal: link.abort.signal,
          onAuthPrompt: () => {
            prompted = true;
            if (!link.stopped) this.#update(entry, { state: "unauthorized", hint: UNAUTHORIZED_HINT });
            firstDone();
          },
        });
        const phone = new Phone(adb, { serial: link.serial, transport: "direct" });
        if (link.stopped) {
          await phone.close();
          break;
        }
        const generation = ++entry.generation;
        const online = await this.#goOnline(entry, phone, generation);
        firstDone();
        if (online) {
          backoff = this.#backoffMin;
          await this.#watch(link, phone);
        }
      } catch (e) {
        if (link.stopped) break;
        if (!prompted) {
          const hint = `cannot reach ${link.serial}: ${(e as Error).message}`;
          if (entry.info.state !== "offline" || entry.info.hint === null)
            this.#update(entry, { state: "offline", hint });
        }
        firstDone();
      }
      await this.#sleep(link, backoff);
      backoff = Math.min(backoff * 2, this.#backoffMax);
    }
    firstDone();
  }

  /** Resolves when a direct phone's connection ends; a phone that stops answering is closed. */
  async #watch(link: DirectLink, phone: Phone): Promise<void> {
    const gone = new Promise((resolve) =>
      phone.goneSignal.addEventListener("abort", resolve, { once: true }),
    );
    while (!link.stopped && !phone.closed) {
      await Promise.race([Bun.sleep(this.#pingMs), gone]);
      if (link.stopped || phone.closed) break;
      const alive = await phone.ping(1500);
      if (!alive && !phone.closed) {
        this.#log("warn", `${link.serial} stopped answering; reconnecting`);
        await phone.close();
      }
    }
  }
}
