/**
 * Network phones reached directly (own TCP connection, own RSA key, no adb server): one link per
 * address that connects, watches the phone with pings and reconnects with backoff until detached.
 */
import type { Logger } from "../log.ts";
import { connectDirect } from "./direct.ts";
import { ConnectError, connectReason } from "./errors.ts";
import type { FileCredentialStore } from "./keys.ts";
import { Phone } from "./phone.ts";
import { type DeviceInfo, type Entry, type Registry, UNAUTHORIZED_HINT } from "./registry.ts";

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

/** How the first attempt of a link ended: null when the phone answered (or asked for our key). */
type FirstAttempt = Error | null;

export interface DirectTiming {
  /** How long `connect` waits for the first attempt before the address counts as unreachable. */
  firstAttemptMs: number;
  pingMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

export class DirectSource {
  readonly #links = new Map<string, DirectLink>();
  readonly #registry: Registry;
  readonly #keys: FileCredentialStore;
  readonly #log: Logger;
  readonly #timing: DirectTiming;

  constructor(registry: Registry, keys: FileCredentialStore, log: Logger, timing: DirectTiming) {
    this.#registry = registry;
    this.#keys = keys;
    this.#log = log;
    this.#timing = timing;
  }

  has(serial: string): boolean {
    return this.#links.has(serial);
  }

  /**
   * Starts a link to `host:port` (or returns the one running). A phone that cannot be reached on the
   * first attempt is a ConnectError and nothing is kept, unless `keepTrying`: then it is listed offline
   * with the reason and tried again.
   */
  async connect(
    host: string,
    port: number,
    options: { keepTrying?: boolean; ephemeral?: boolean },
  ): Promise<DeviceInfo> {
    const serial = `${host}:${port}`;
    if (this.#links.has(serial)) return this.#registry.get(serial) as DeviceInfo;
    const isNew = this.#registry.find(serial) === undefined;
    const entry = this.#registry.entry(serial, "direct", "direct");
    if (options.ephemeral) entry.info.ephemeral = true;
    // a first attempt that fails is taken back without a word
    entry.quiet = isNew && !options.keepTrying;
    let firstDone!: (outcome: FirstAttempt) => void;
    const first = new Promise<FirstAttempt>((resolve) => {
      firstDone = resolve;
    });
    const link: DirectLink = {
      host,
      port,
      serial,
      stopped: false,
      abort: new AbortController(),
      wake: undefined,
      done: Promise.resolve(),
    };
    this.#links.set(serial, link);
    link.done = this.#run(link, entry, firstDone);
    const limit = this.#timing.firstAttemptMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      first,
      new Promise<Error>((resolve) => {
        timer = setTimeout(() => resolve(new Error(`no ADB answer within ${limit / 1000} s`)), limit);
      }),
    ]);
    clearTimeout(timer);
    if (entry.quiet) {
      if (outcome) {
        await this.detach(serial);
        this.#registry.remove(serial);
        throw new ConnectError(serial, connectReason(outcome));
      }
      entry.quiet = false;
      this.#registry.emit(entry);
    }
    return this.#registry.get(serial) as DeviceInfo;
  }

  /** Stops the link to `serial`; false when there was none. */
  async detach(serial: string): Promise<boolean> {
    const link = this.#links.get(serial);
    if (!link) return false;
    this.#stop(link);
    await link.done.catch(() => {});
    return true;
  }

  async stop(): Promise<void> {
    const links = [...this.#links.values()];
    for (const link of links) this.#stop(link);
    await Promise.all(links.map((l) => l.done.catch(() => {})));
  }

  #stop(link: DirectLink): void {
    link.stopped = true;
    this.#links.delete(link.serial);
    link.abort.abort();
    link.wake?.();
    const entry = this.#registry.find(link.serial);
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

  async #run(link: DirectLink, entry: Entry, firstDone: (outcome: FirstAttempt) => void): Promise<void> {
    const registry = this.#registry;
    let backoff = this.#timing.backoffMinMs;
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
            if (!link.stopped) registry.update(entry, { state: "unauthorized", hint: UNAUTHORIZED_HINT });
            firstDone(null);
          },
        });
        const phone = new Phone(adb, { serial: link.serial, transport: "direct" });
        if (link.stopped) {
          await phone.close();
          break;
        }
        const generation = ++entry.generation;
        const result = await registry.goOnline(entry, phone, generation);
        firstDone(null);
        if (result === "online") {
          backoff = this.#timing.backoffMinMs;
          await this.#watch(link, phone);
        }
      } catch (e) {
        if (link.stopped) break;
        if (!prompted) {
          const hint = `cannot reach ${link.serial}: ${connectReason(e)}`;
          if (entry.info.state !== "offline" || entry.info.hint === null)
            registry.update(entry, { state: "offline", hint });
          firstDone(e as Error);
        }
      }
      await this.#sleep(link, backoff);
      backoff = Math.min(backoff * 2, this.#timing.backoffMaxMs);
    }
    firstDone(new Error("detached"));
  }

  /** Resolves when a direct phone's connection ends; a phone that stops answering is closed. */
  async #watch(link: DirectLink, phone: Phone): Promise<void> {
    const gone = new Promise((resolve) =>
      phone.goneSignal.addEventListener("abort", resolve, { once: true }),
    );
    while (!link.stopped && !phone.closed) {
      await Promise.race([Bun.sleep(this.#timing.pingMs), gone]);
      if (link.stopped || phone.closed) break;
      const alive = await phone.ping(1500);
      if (!alive && !phone.closed) {
        this.#log.child({ phone: link.serial }).warn("stopped answering; reconnecting");
        await phone.close();
      }
    }
  }
}
