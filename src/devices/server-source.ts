/**
 * Phones behind the adb server (USB, and network phones the server knows): found by polling
 * `host:devices-l` every second (ya-webadb's tracker never reports `offline`) and diffing; network
 * phones attached with `host:connect` are connected again when the server loses them.
 */

import { Adb, AdbServerClient } from "@yume-chan/adb";
import type { Logger } from "../log.ts";
import { type AdbServer, withTimeout } from "./adb-server.ts";
import { ConnectError, connectReason } from "./errors.ts";
import { Phone } from "./phone.ts";
import { ADB_DOWN_HINT, type DeviceInfo, type Entry, type Registry, UNAUTHORIZED_HINT } from "./registry.ts";
import { ServerDeviceTransport } from "./server-transport.ts";

/** Network serials look like HOST:PORT (or an mDNS name); anything else came over USB. */
export function transportOfSerial(serial: string): "usb" | "tcp" {
  return /^(\[[^\]]+\]|[^:\s]+):\d+$/.test(serial) || serial.includes("._adb-tls-connect.") ? "tcp" : "usb";
}

/** How often a server transport found to be another phone is looked at again. */
export const HELD_RECHECK_MS = 10_000;
/** How long an address whose connect failed is not taken back from the server's offline listing. */
const LET_GO_MS = 10_000;

interface ServerTarget {
  host: string;
  port: number;
  lastTry: number;
  busy: boolean;
}

/** A `host:connect` that failed: why (short), the hint to show, and whether the phone wants authorization. */
type ConnectOutcome = { reason: string; hint: string; unauthorized: boolean } | null;

export class ServerSource {
  readonly server: AdbServer;
  readonly #registry: Registry;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #heldRecheckMs: number;
  readonly #targets = new Map<string, ServerTarget>();
  /**
   * Addresses whose connect failed and were let go, until when: the server may list them offline a while
   * longer (its own attempt winding down), and a poll must not bring them back as phones.
   */
  readonly #letGo = new Map<string, number>();
  #running = false;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #polling: Promise<void> | undefined;

  constructor(
    server: AdbServer,
    registry: Registry,
    options: { log: Logger; pollMs: number; heldRecheckMs: number },
  ) {
    this.server = server;
    this.#registry = registry;
    this.#log = options.log;
    this.#pollMs = options.pollMs;
    this.#heldRecheckMs = options.heldRecheckMs;
  }

  async start(): Promise<void> {
    this.#running = true;
    await this.server.check();
    this.#schedulePoll(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    await this.#polling?.catch(() => {});
  }

  /**
   * `host:connect`, then waits briefly for the phone to be read. A phone the server cannot reach is
   * a ConnectError (nothing kept), unless `keepTrying` or it was attached before: then it is listed
   * offline with the reason and tried again.
   */
  async connect(
    host: string,
    port: number,
    options: { keepTrying?: boolean; ephemeral?: boolean },
  ): Promise<DeviceInfo> {
    const serial = `${host}:${port}`;
    this.#letGo.delete(serial);
    const attachedBefore = this.#targets.has(serial) || this.#registry.find(serial) !== undefined;
    const target: ServerTarget = this.#targets.get(serial) ?? { host, port, lastTry: 0, busy: false };
    this.#targets.set(serial, target);
    // ask rather than trust the last poll (or none yet: a request may come before `start` is done)
    const status = this.server.status === "ok" ? "ok" : await this.server.check();
    const failure: ConnectOutcome =
      status === "ok"
        ? await this.#serverConnect(target)
        : { reason: ADB_DOWN_HINT, hint: ADB_DOWN_HINT, unauthorized: false };
    if (failure && !failure.unauthorized && !attachedBefore && !options.keepTrying) {
      // the server keeps a silent address listed offline after a failed connect: let it go
      this.#targets.delete(serial);
      this.#letGo.set(serial, Date.now() + LET_GO_MS);
      await withTimeout(this.server.disconnect(host, port), 3000).catch(() => {});
      if (this.#registry.find(serial)?.phone === undefined) this.#registry.remove(serial);
      throw new ConnectError(serial, failure.reason);
    }
    await this.#pollNow();
    // Give a phone the server just accepted a moment to be read and shown online.
    const deadline = Date.now() + 3000;
    while (!failure && Date.now() < deadline && this.#registry.find(serial)?.info.state !== "online") {
      if (this.#registry.find(serial)?.info.state === "unauthorized") break;
      await Bun.sleep(50);
    }
    const entry = this.#registry.find(serial) ?? this.#registry.entry(serial, "server", "tcp");
    if (options.ephemeral) entry.info.ephemeral = true;
    if (failure && entry.info.state !== "online") {
      const unauthorized = failure.unauthorized || entry.info.state === "unauthorized";
      this.#registry.update(entry, { state: unauthorized ? "unauthorized" : "offline", hint: failure.hint });
    }
    return this.#registry.get(serial) as DeviceInfo;
  }

  /** Stops attaching `host:port`; tells the server to let it go when we attached it (or `always`). */
  async detach(host: string, port: number, always: boolean): Promise<void> {
    if (this.#targets.delete(`${host}:${port}`) || always) {
      await this.server.disconnect(host, port).catch(() => {});
    }
  }

  #schedulePoll(delay: number): void {
    if (!this.#running) return;
    this.#pollTimer = setTimeout(() => {
      this.#polling = this.#poll().catch((e) =>
        this.#log.warn(`device poll failed: ${(e as Error).message}`),
      );
      void this.#polling.then(() =>
        this.#schedulePoll(this.server.status === "ok" ? this.#pollMs : Math.max(this.#pollMs, 3000)),
      );
    }, delay);
  }

  async #pollNow(): Promise<void> {
    await this.#polling?.catch(() => {});
    this.#polling = this.#poll().catch(() => {});
    await this.#polling;
  }

  async #poll(): Promise<void> {
    const server = this.server;
    const registry = this.#registry;
    if (!this.#running) return;
    let devices: AdbServerClient.Device[];
    try {
      devices = await withTimeout(server.client.getDevices(["device", "unauthorized", "offline"]), 3000);
      if (server.status !== "ok") await server.check();
    } catch {
      server.markUnreachable();
      for (const entry of registry.entries()) {
        if (entry.source === "server" && entry.info.state !== "offline") {
          await registry.drop(entry, "offline", ADB_DOWN_HINT);
        }
      }
      await server.check();
      return;
    }
    const seen = new Set<string>();
    for (const [serial, until] of this.#letGo) if (Date.now() >= until) this.#letGo.delete(serial);
    for (const d of devices) {
      if (d.state !== "device" && this.#letGo.has(d.serial)) continue;
      seen.add(d.serial);
      const existing = registry.find(d.serial);
      if (existing && existing.source === "direct") continue; // the same address attached directly
      const entry = registry.entry(d.serial, "server", transportOfSerial(d.serial));
      if (d.state === "device") {
        entry.info.last_seen = new Date();
        const stale = entry.transportId !== undefined && entry.transportId !== d.transportId;
        if (stale) await registry.drop(entry, "offline", null);
        const held = Date.now() < entry.heldUntil;
        if (!entry.phone && !entry.attaching && !held) void this.#attach(entry, d.transportId, d.model);
      } else {
        entry.heldUntil = 0; // it went away: whoever comes back is checked at once
        const hint = d.state === "unauthorized" ? UNAUTHORIZED_HINT : null;
        if (entry.phone || entry.info.state !== d.state || entry.info.hint !== hint) {
          await registry.drop(entry, d.state, hint);
        }
      }
    }
    for (const entry of registry.entries()) {
      if (
        entry.source === "server" &&
        !seen.has(entry.info.serial) &&
        (entry.phone || entry.info.state !== "offline")
      ) {
        await registry.drop(entry, "offline", null);
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
        void this.#serverConnect(target).then((failure) => {
          const entry = registry.find(serial);
          if (!failure || !entry || entry.source !== "server" || !this.#targets.has(serial)) return;
          if (entry.info.state === "online") return;
          registry.update(entry, {
            state: failure.unauthorized ? "unauthorized" : "offline",
            hint: failure.hint,
          });
        });
      }
    }
  }

  async #attach(entry: Entry, transportId: bigint, model?: string): Promise<void> {
    const client = this.server.client;
    entry.attaching = true;
    const generation = ++entry.generation;
    try {
      const inner = await withTimeout(client.createTransport({ transportId }), 5000);
      const adb = new Adb(new ServerDeviceTransport(client, inner));
      const phone = new Phone(adb, { serial: entry.info.serial, transport: entry.info.transport });
      if (generation !== entry.generation) {
        await phone.close();
        return;
      }
      entry.transportId = transportId;
      const result = await this.#registry.goOnline(entry, phone, generation, model);
      // another phone behind this serial: checked again now and then, not on every poll
      entry.heldUntil = result === "held" ? Date.now() + this.#heldRecheckMs : 0;
    } catch (e) {
      this.#log
        .child({ phone: entry.info.serial })
        .warn(`cannot open it through the adb server: ${(e as Error).message}`);
    } finally {
      entry.attaching = false;
    }
  }

  /**
   * ya-webadb reads adb's "failed to connect to A" as unauthorized (a phone showing the prompt), but
   * adb also says it of an address that took the connection and never spoke ADB, which the server
   * then lists offline: true for that case.
   */
  async #silent(address: string, error: Error): Promise<boolean> {
    if (error.message.trim() !== `failed to connect to ${address}`) return false;
    const devices = await this.server.client
      .getDevices(["device", "unauthorized", "offline"])
      .catch(() => []);
    return devices.find((d) => d.serial === address)?.state === "offline";
  }

  /** `host:connect` (after `host:disconnect` when the server holds a stale transport); null when it worked. */
  async #serverConnect(target: ServerTarget): Promise<ConnectOutcome> {
    const server = this.server;
    if (target.busy) return null;
    target.busy = true;
    target.lastTry = Date.now();
    const address = `${target.host}:${target.port}`;
    try {
      const state = this.#registry.find(address)?.info.state;
      if (state === "offline")
        await withTimeout(server.disconnect(target.host, target.port), 3000).catch(() => {});
      try {
        // adb gives up by itself after 10 s; our bound only guards against a server that hangs
        await withTimeout(server.connect(target.host, target.port), 12_000, "no ADB answer within 12 s");
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
      if (e instanceof AdbServerClient.UnauthorizedError && !(await this.#silent(address, e)))
        return { reason: UNAUTHORIZED_HINT, hint: UNAUTHORIZED_HINT, unauthorized: true };
      const reason = connectReason(e);
      return { reason, hint: `cannot reach ${address}: ${reason}`, unauthorized: false };
    } finally {
      target.busy = false;
    }
  }
}
