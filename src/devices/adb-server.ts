/**
 * The adb server side: one `AdbServerClient`, the knowledge of whether the server answers, and
 * starting it (`adb -P PORT start-server`) when it does not and `adb` is installed.
 */
import { spawn } from "node:child_process";
import { AdbServerClient } from "@yume-chan/adb";
import { AdbServerNodeTcpConnector } from "@yume-chan/adb-server-node-tcp";
import { type Logger, silentLogger } from "../log.ts";
import { adbInstallHint, findAdb } from "./adb-path.ts";

export type AdbStatus = "ok" | "unreachable";

export interface AdbServerAddress {
  host?: string;
  port?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Finds an executable on PATH (or checks an explicit path); undefined when absent. */
export function findExecutable(name: string): string | undefined {
  return findAdb(name);
}

export class AdbServer {
  readonly host: string;
  readonly port: number;
  readonly client: AdbServerClient;
  readonly #adbPath: string;
  readonly #log: Logger;
  readonly #startEveryMs: number;
  #status: AdbStatus | undefined;
  #lastStartAttempt = 0;
  #starting: Promise<void> | undefined;

  constructor(
    address: AdbServerAddress = {},
    options: {
      adbPath?: string;
      log?: Logger;
      /** At most one attempt to start a silent server this often (default 5 s). */
      startEveryMs?: number;
    } = {},
  ) {
    this.host = address.host ?? "127.0.0.1";
    this.port = address.port ?? 5037;
    this.client = new AdbServerClient(new AdbServerNodeTcpConnector({ host: this.host, port: this.port }));
    this.#adbPath = options.adbPath ?? "adb";
    this.#log = options.log ?? silentLogger;
    this.#startEveryMs = options.startEveryMs ?? 5_000;
  }

  get status(): AdbStatus {
    return this.#status ?? "unreachable";
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /**
   * Checks that the server answers; when it does not, starts it (at most every 5 s) if it is local
   * and `adb` is installed. Logs once per change of status, not once per attempt.
   */
  async check(): Promise<AdbStatus> {
    if (await this.#answers()) return this.#setStatus("ok");
    await this.#maybeStart();
    return this.#setStatus((await this.#answers()) ? "ok" : "unreachable");
  }

  /** Marks the server unreachable after a failed request (the next `check` confirms or clears it). */
  markUnreachable(): void {
    this.#setStatus("unreachable");
  }

  async #answers(): Promise<boolean> {
    try {
      await withTimeout(this.client.getVersion(), 3000);
      return true;
    } catch {
      return false;
    }
  }

  #setStatus(status: AdbStatus): AdbStatus {
    if (status !== this.#status) {
      const was = this.#status;
      this.#status = status;
      if (status === "ok") this.#log.info(`adb server at ${this.address} is up`);
      else if (was === "ok" || was === undefined) {
        const adb = findExecutable(this.#adbPath);
        const why = !LOOPBACK.has(this.host)
          ? "it is not on this machine, so it cannot be started from here"
          : adb
            ? `starting it with "${adb} -P ${this.port} start-server" did not help`
            : `"${this.#adbPath}" is not installed (${adbInstallHint()}) so it cannot be started`;
        this.#log.warn(`adb server at ${this.address} does not answer (${why}); retrying every few seconds`);
      }
    }
    return status;
  }

  #maybeStart(): Promise<void> {
    if (!LOOPBACK.has(this.host)) return Promise.resolve();
    if (this.#starting) return this.#starting;
    if (Date.now() - this.#lastStartAttempt < this.#startEveryMs) return Promise.resolve();
    const adb = findExecutable(this.#adbPath);
    if (!adb) return Promise.resolve();
    this.#lastStartAttempt = Date.now();
    this.#starting = startServer(adb, this.port).finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** `host:connect:HOST:PORT`. Throws AdbServerClient.{Network,Unauthorized,AlreadyConnected}Error. */
  async connect(host: string, port: number): Promise<void> {
    await this.client.wireless.connect(`${host}:${port}`);
  }

  /** `host:disconnect:HOST:PORT`; a transport the server does not know is not an error. */
  async disconnect(host: string, port: number): Promise<void> {
    await this.client.wireless.disconnect(`${host}:${port}`);
  }
}

/** Runs `adb -P PORT start-server` and waits for it (bounded at 15 s). */
export function startServer(
  adb: string,
  port: number,
  env?: Record<string, string | undefined>,
): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(adb, ["-P", String(port), "start-server"], {
      stdio: "ignore",
      env: env ?? process.env,
      detached: true,
    });
    const timer = setTimeout(() => {
      child.kill();
      resolve();
    }, 15_000);
    child.on("error", () => {
      clearTimeout(timer);
      resolve();
    });
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message = `timed out after ${ms} ms`,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
