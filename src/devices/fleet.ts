/**
 * The fleet: every phone we know, how it is connected, and whether it is usable right now.
 *
 * - Phones behind the adb server are tracked by `ServerSource` (server-source.ts).
 * - Network phones attached directly are kept connected by `DirectSource` (direct-source.ts).
 * - Both write into one `Registry` (registry.ts): for each phone that comes online, hardware serial,
 *   model/brand/Android version/SDK/screen/battery are read once; the battery every 30 s. Every change
 *   of state or facts fires a `change` event with a DeviceInfo.
 */
import { consoleSink, Logger } from "../log.ts";
import { AdbServer, type AdbServerAddress, type AdbState, type AdbStatus } from "./adb-server.ts";
import { DirectSource } from "./direct-source.ts";
import { FastUiManager, type FastUiManagerOptions } from "./fast-ui/manager.ts";
import { FileCredentialStore } from "./keys.ts";
import type { Phone } from "./phone.ts";
import { type DeviceInfo, Registry } from "./registry.ts";
import { HELD_RECHECK_MS, ServerSource } from "./server-source.ts";

export interface FleetOptions {
  /** Folder for the RSA key used by direct connections (`adbkey`, `adbkey.pub`). */
  dataDir: string;
  /** Where the adb server listens (default 127.0.0.1:5037); `false` to use direct connections only. */
  adbServer?: AdbServerAddress | false;
  /** The adb executable used to start the server when it does not answer (default "adb" on PATH). */
  adbPath?: string;
  /** At most one attempt to start a silent adb server this often (default 5 s). */
  adbStartEveryMs?: number;
  /** How often the server's device list is read (default 1000 ms). */
  pollMs?: number;
  /**
   * How long a phone held offline (another phone now answers at its address, through the adb server) waits
   * before it is checked again (default 10 s).
   */
  heldRecheckMs?: number;
  /** How often the battery of online phones is refreshed (default 30 s). */
  batteryMs?: number;
  /** How often a direct phone is checked for life (default 1000 ms; it is dropped after 1.5 s of silence). */
  pingMs?: number;
  /**
   * How long `connect` waits for a direct phone's first answer before the address counts as
   * unreachable (default 8 s; through the adb server, its own 10 s limit applies).
   */
  connectTimeoutMs?: number;
  /** Backoff bounds for reconnecting network phones (default 500 ms … 5 s). */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  onChange?: (info: DeviceInfo) => void;
  /**
   * Fast UI (Appium's UiAutomator2 server on the phones, `fast-ui/`): `all` for every phone without a choice of
   * its own (`--fast-ui`); the phones' own choices are kept in `settingsFile`.
   */
  fastUi?: Omit<FastUiManagerOptions, "log">;
  /** Default: the console. */
  log?: Logger;
}

export interface ConnectOptions {
  /** Own TCP connection and key instead of the adb server (always so when no server is used). */
  direct?: boolean;
  /** Keep an unreachable phone listed offline and retry it, instead of failing with a ConnectError. */
  keepTrying?: boolean;
  /** For this run only (demo phones): the phone is marked so that it is never attached again. */
  ephemeral?: boolean;
}

export class Fleet {
  readonly #registry: Registry;
  readonly #server: ServerSource | undefined;
  readonly #direct: DirectSource;
  readonly #keys: FileCredentialStore;
  readonly #batteryMs: number;
  /** Fast UI on the phones: who wants it, each online phone's server. */
  readonly fastUi: FastUiManager;
  #running = false;
  #batteryTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: FleetOptions) {
    const log = options.log ?? new Logger(consoleSink);
    this.#registry = new Registry(log);
    this.#keys = new FileCredentialStore(options.dataDir);
    this.#server =
      options.adbServer === false
        ? undefined
        : new ServerSource(
            new AdbServer(options.adbServer ?? {}, {
              adbPath: options.adbPath,
              log,
              startEveryMs: options.adbStartEveryMs,
            }),
            this.#registry,
            {
              log,
              pollMs: options.pollMs ?? 1000,
              heldRecheckMs: options.heldRecheckMs ?? HELD_RECHECK_MS,
            },
          );
    this.#direct = new DirectSource(this.#registry, this.#keys, log, {
      firstAttemptMs: options.connectTimeoutMs ?? 8000,
      pingMs: options.pingMs ?? 1000,
      backoffMinMs: options.reconnectMinMs ?? 500,
      backoffMaxMs: options.reconnectMaxMs ?? 5000,
    });
    this.#batteryMs = options.batteryMs ?? 30_000;
    if (options.onChange) this.#registry.listen(options.onChange);
    this.fastUi = new FastUiManager({ ...options.fastUi, log });
    this.#registry.listen((info) => {
      const phone = info.state === "online" ? this.phone(info.serial) : undefined;
      if (phone) this.fastUi.attach(info.serial, phone);
      else this.fastUi.detach(info.serial);
    });
  }

  /** "ok" when the adb server answers (or none is used), "unreachable" otherwise. */
  get adbStatus(): AdbStatus {
    return this.#server ? this.#server.server.status : "ok";
  }

  /** The adb server's state and what to do about it ("off" when none is used). */
  get adb(): AdbState {
    return this.#server
      ? this.#server.server.state
      : { state: "off", message: "no adb server is used: phones are attached directly" };
  }

  /** The key store used for direct connections. */
  get credentialStore(): FileCredentialStore {
    return this.#keys;
  }

  list(): DeviceInfo[] {
    return this.#registry.list();
  }

  get(serial: string): DeviceInfo | undefined {
    return this.#registry.get(serial);
  }

  /** The phone's verbs, only while it is online. */
  phone(serial: string): Phone | undefined {
    const e = this.#registry.find(serial);
    return e && e.info.state === "online" && e.phone && !e.phone.closed ? e.phone : undefined;
  }

  /**
   * Tells the fleet which phone (hardware serial) `serial` is, as recorded before: if another phone
   * answers there, it is not used, and the serial shows offline with a hint saying so.
   */
  recall(serial: string, hardwareSerial: string): void {
    this.#registry.recall(serial, hardwareSerial);
  }

  on(event: "change", listener: (info: DeviceInfo) => void): () => void {
    if (event !== "change") throw new TypeError(`unknown event ${event}`);
    return this.#registry.listen(listener);
  }

  off(event: "change", listener: (info: DeviceInfo) => void): void {
    if (event === "change") this.#registry.unlisten(listener);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#server?.start();
    this.#batteryTimer = setInterval(() => void this.#registry.refreshBatteries(), this.#batteryMs);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#batteryTimer) clearInterval(this.#batteryTimer);
    this.#batteryTimer = undefined;
    await Promise.all([this.#direct.stop(), this.#server?.stop()]);
    await this.#registry.closeAll();
    await this.#server?.server.stopOwn();
  }

  /**
   * Attaches a network phone: through the adb server (`host:connect`), or directly (`direct: true`,
   * or when no adb server is used). The fleet keeps it connected until `disconnect`. Resolves with
   * its info after the first attempt; throws a ConnectError when the phone cannot be reached (refused,
   * unreachable, silent), having kept nothing, unless `keepTrying`.
   */
  async connect(host: string, port: number, options: ConnectOptions = {}): Promise<DeviceInfo> {
    const serial = `${host}:${port}`;
    const wantDirect = options.direct === true || !this.#server;
    const owner = this.#registry.find(serial)?.source;
    if (owner && (owner === "direct") !== wantDirect) {
      await this.disconnect(host, port); // switching how this phone is reached
    }
    if (wantDirect || !this.#server) return this.#direct.connect(host, port, options);
    return this.#server.connect(host, port, options);
  }

  /** Detaches a network phone (server or direct) and forgets it. */
  async disconnect(host: string, port: number): Promise<void> {
    const serial = `${host}:${port}`;
    const hadLink = await this.#direct.detach(serial);
    await this.#server?.detach(host, port, !hadLink);
    const entry = this.#registry.find(serial);
    if (entry) await this.#registry.drop(entry, "offline", null);
    this.#registry.forget(serial);
  }
}
