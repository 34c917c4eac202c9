/**
 * The adb server side: one `AdbServerClient`, the knowledge of whether the server answers, and
 * starting it (`adb -P PORT start-server`) when it does not and `adb` is installed.
 */
import { spawn } from "node:child_process";
import { AdbServerClient } from "@yume-chan/adb";
import { AdbServerNodeTcpConnector } from "@yume-chan/adb-server-node-tcp";
import { type Logger, silentLogger } from "../log.ts";
import { adbCandidates, adbInstallHint, findAdb } from "./adb-path.ts";

export type AdbStatus = "ok" | "unreachable";

/** The adb server as an operator needs to know it: up, down, or impossible here, and what to do. */
export interface AdbState {
  /** "checking" until the first answer (or silence) at start-up; "off" when no adb server is used. */
  state: "ok" | "checking" | "not_installed" | "unreachable" | "off";
  message: string;
}

/** Known to be missing or down: no phone behind the adb server can be seen. */
export function adbDown(adb: AdbState): boolean {
  return adb.state === "not_installed" || adb.state === "unreachable";
}

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
  #starting: Promise<boolean> | undefined;
  /** The server did not answer until we ran start-server: it is ours to stop when the service stops. */
  #startedHere = false;
  /** The adb executable found at the last status change (undefined: none). */
  #found: string | undefined;

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
    this.#found = findExecutable(this.#adbPath);
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
    this.#startedHere = false;
    const started = await this.#maybeStart();
    if (!(await this.#answers())) return this.#setStatus("unreachable");
    this.#startedHere = started;
    return this.#setStatus("ok");
  }

  /** What the operator should know, and do, about the server now. */
  get state(): AdbState {
    if (this.#status === undefined) {
      return {
        state: "checking",
        message: `adb server at ${this.address}: being checked (the service is starting)`,
      };
    }
    if (this.status === "ok") {
      const whose = this.#startedHere ? ", started by this service (stopped when it stops)" : "";
      return { state: "ok", message: `adb server at ${this.address} answers${whose}` };
    }
    if (!LOOPBACK.has(this.host)) {
      return {
        state: "unreachable",
        message:
          `adb server at ${this.address} does not answer, and it is not on this machine, so it cannot be ` +
          `started from here: start it there (adb -a -P ${this.port} server nodaemon) or fix --adb`,
      };
    }
    if (!this.#found) {
      const looked = this.#adbPath === "adb" ? ["PATH", ...adbCandidates()].join(", ") : this.#adbPath;
      return {
        state: "not_installed",
        message: `adb server at ${this.address} does not answer, and adb is not installed (looked in ${looked}): ${adbInstallHint()}; the service then starts the server itself`,
      };
    }
    return {
      state: "unreachable",
      message:
        `adb server at ${this.address} does not answer, and "${this.#found} -P ${this.port} start-server" ` +
        `did not start it: run that command to see why, or fix --adb`,
    };
  }

  /** Stops the server if this service started it (never one that another tool was running). */
  async stopOwn(): Promise<void> {
    if (!this.#startedHere) return;
    this.#startedHere = false;
    await withTimeout(this.client.killServer(), 3000).then(
      () => this.#log.info(`stopped the adb server at ${this.address} that this service had started`),
      (e) => this.#log.warn(`could not stop the adb server at ${this.address}: ${(e as Error).message}`),
    );
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
      this.#found = findExecutable(this.#adbPath);
      if (status === "ok") this.#log.info(this.state.message);
      else if (was === "ok" || was === undefined) {
        this.#log.warn(`${this.state.message}; retrying every few seconds`);
      }
    }
    return status;
  }

  /** Runs start-server when allowed; true when it did (false: not local, too soon, or no adb). */
  #maybeStart(): Promise<boolean> {
    if (!LOOPBACK.has(this.host)) return Promise.resolve(false);
    if (this.#starting) return this.#starting;
    if (Date.now() - this.#lastStartAttempt < this.#startEveryMs) return Promise.resolve(false);
    const adb = findExecutable(this.#adbPath);
    if (!adb) return Promise.resolve(false);
    this.#lastStartAttempt = Date.now();
    this.#starting = startServer(adb, this.port)
      .then(() => true)
      .finally(() => {
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
