/**
 * Fast UI across the fleet: which phones want it (`--fast-ui` for all, or each phone turned on or off from the
 * API, remembered in DATA_DIR/fast-ui.json), one `FastUi` per online phone, started when the phone comes
 * online or when turned on, stopped when turned off; removal (uninstall) on request.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../../log.ts";
import type { Phone } from "../phone.ts";
import { FastUi, type FastUiOptions, type FastUiState } from "./session.ts";

export interface FastUiStatus {
  /** Whether this phone is to read and tap through Appium's server (the phone's own choice, else --fast-ui). */
  enabled: boolean;
  /** unknown: another PC holds the phone and did not say. */
  state: FastUiState | "unknown";
  /** Why it fell back to `uiautomator dump` and `input`; null otherwise. */
  reason: string | null;
  /** When a fallen-back server is tried again (ms since the epoch); null otherwise. */
  retryAt: number | null;
}

export interface FastUiManagerOptions {
  /** On for every phone that has no choice of its own (`--fast-ui`). */
  all?: boolean;
  /** Where each phone's own choice is kept (JSON: serial → true/false); none: for this run only. */
  settingsFile?: string;
  log: Logger;
  /** Limits of each phone's session (tests shorten them). */
  session?: Omit<FastUiOptions, "log">;
}

export class FastUiManager {
  readonly #all: boolean;
  readonly #file: string | undefined;
  readonly #log: Logger;
  readonly #session: Omit<FastUiOptions, "log">;
  readonly #choices: Record<string, boolean>;
  readonly #phones = new Map<string, { phone: Phone; fast: FastUi }>();

  constructor(options: FastUiManagerOptions) {
    this.#all = options.all ?? false;
    this.#file = options.settingsFile;
    this.#log = options.log;
    this.#session = options.session ?? {};
    this.#choices = this.#read();
  }

  #read(): Record<string, boolean> {
    if (!this.#file) return {};
    try {
      const parsed = JSON.parse(readFileSync(this.#file, "utf8")) as unknown;
      if (!parsed || typeof parsed !== "object") return {};
      return Object.fromEntries(
        Object.entries(parsed).filter((e): e is [string, boolean] => typeof e[1] === "boolean"),
      );
    } catch {
      return {};
    }
  }

  #save(): void {
    if (!this.#file) return;
    try {
      mkdirSync(dirname(this.#file), { recursive: true });
      const temp = `${this.#file}.tmp`;
      writeFileSync(temp, `${JSON.stringify(this.#choices, null, 2)}\n`);
      renameSync(temp, this.#file);
    } catch (e) {
      this.#log.warn(`could not save the phones' fast UI choices: ${(e as Error).message}`);
    }
  }

  enabled(serial: string): boolean {
    return this.#choices[serial] ?? this.#all;
  }

  status(serial: string): FastUiStatus {
    const fast = this.#phones.get(serial)?.fast;
    return {
      enabled: this.enabled(serial),
      state: fast?.state ?? "off",
      reason: fast?.reason ?? null,
      retryAt: fast?.retryAt ?? null,
    };
  }

  /** A phone is online (called again on every change of it): fast UI starts on it when enabled. */
  attach(serial: string, phone: Phone): void {
    const known = this.#phones.get(serial);
    if (known?.phone === phone) return;
    const fast = new FastUi(phone.adb, phone.goneSignal, {
      ...this.#session,
      log: this.#log.child({ phone: serial }),
    });
    phone.fastUi = fast;
    this.#phones.set(serial, { phone, fast });
    if (this.enabled(serial)) void fast.start();
  }

  /** The phone went away: its session went with the connection. */
  detach(serial: string): void {
    this.#phones.delete(serial);
  }

  /**
   * Turns fast UI on or off for one phone (remembered). On: started now when the phone is online (also after
   * a fallback, without waiting for the back-off); off: the server is stopped, the stock tools serve.
   */
  async setEnabled(serial: string, enabled: boolean): Promise<FastUiStatus> {
    this.#choices[serial] = enabled;
    this.#save();
    const fast = this.#phones.get(serial)?.fast;
    if (fast) {
      if (enabled) {
        if (fast.state === "fallback") await fast.stop();
        void fast.start();
      } else await fast.stop();
    }
    return this.status(serial);
  }

  /**
   * Turns it off for the phone, stops the server and uninstalls both packages. Null when the phone is not
   * online (nothing can be removed then); else the packages that were removed.
   */
  async remove(serial: string, signal: AbortSignal): Promise<string[] | null> {
    this.#choices[serial] = false;
    this.#save();
    const fast = this.#phones.get(serial)?.fast;
    if (!fast) return null;
    return fast.uninstall(signal);
  }
}
