/**
 * Appium's UiAutomator2 server on one phone: installed when missing or of another version (the embedded
 * APKs pushed, then `pm install -r -d -g`), started by `am instrument -w` in a shell stream that stays open,
 * reached through `tcp:6790` streams of the phone's ADB connection (no port on this PC), one session; then
 * the page source, taps, swipes and key presses go through it in tens of milliseconds instead of seconds.
 *
 * Any failure (install refused, the instrumentation ends, an HTTP error, a timeout) turns it off for the phone
 * (`fallback`): one warning in the log says why, the server is stopped, and the phone's verbs use
 * `uiautomator dump` and `input` again until `retryAfterMs` passed or someone turns it on again.
 */
import type { Adb } from "@yume-chan/adb";
import type { ReadableStream as AdbReadableStream } from "@yume-chan/stream-extra";
import type { Logger } from "../../log.ts";
import { readAll, runShell } from "../phone/shell.ts";
import { sh } from "../shell-quote.ts";
import {
  APKS,
  type Apk,
  INSTRUMENTATION,
  SERVER_PKG,
  SERVER_PORT,
  SERVER_VERSION,
  TEST_PKG,
} from "./apks.ts";
import { phoneHttp } from "./http.ts";

/** `off`: not wanted; `starting`: installing or starting; `ready`: serving; `fallback`: failed, stock tools. */
export type FastUiState = "off" | "starting" | "ready" | "fallback";

export interface FastUiOptions {
  log: Logger;
  /** Installing and starting may take this long (default 120 s: an 18 MB push and install on USB 2). */
  startTimeoutMs?: number;
  /** Each request to the server (default 10 s). */
  requestTimeoutMs?: number;
  /** After a failure, fast UI is tried again this much later (default 10 min), or when turned on again. */
  retryAfterMs?: number;
  /** Wall time, for the back-off (default Date.now). */
  now?: () => number;
}

export class FastUiError extends Error {
  override name = "FastUiError";
}

const said = (s: string) => s.trim().replace(/\s+/g, " ").slice(0, 300);

export class FastUi {
  state: FastUiState = "off";
  /** Why it fell back (the log line's reason), null otherwise. */
  reason: string | null = null;
  readonly #adb: Adb;
  readonly #gone: AbortSignal;
  readonly #log: Logger;
  readonly #startTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #retryAfterMs: number;
  readonly #now: () => number;
  #session: string | null = null;
  #instrumentation: AbortController | null = null;
  #starting: Promise<void> | null = null;
  #stopping: Promise<void> = Promise.resolve();
  #retryAt = 0;
  /** Bumped by every start and stop: a late event of an older run changes nothing. */
  #run = 0;

  constructor(adb: Adb, gone: AbortSignal, options: FastUiOptions) {
    this.#adb = adb;
    this.#gone = gone;
    this.#log = options.log;
    this.#startTimeoutMs = options.startTimeoutMs ?? 120_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#retryAfterMs = options.retryAfterMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  get ready(): boolean {
    return this.state === "ready" && this.#session !== null;
  }

  /** When a fallen-back server is tried again (ms since the epoch), null when not waiting. */
  get retryAt(): number | null {
    return this.state === "fallback" ? this.#retryAt : null;
  }

  /** Whether a fallen-back server's back-off has passed. */
  get due(): boolean {
    return this.state === "fallback" && this.#now() >= this.#retryAt;
  }

  /** Installs (when needed) and starts the server; resolves when ready or fallen back (never rejects). */
  start(): Promise<void> {
    if (this.state === "ready") return Promise.resolve();
    if (this.#starting) return this.#starting;
    const run = ++this.#run;
    this.state = "starting";
    this.reason = null;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new FastUiError(`not ready after ${this.#startTimeoutMs / 1000} s`)),
      this.#startTimeoutMs,
    );
    const onGone = () => controller.abort(new FastUiError("the phone disconnected"));
    this.#gone.addEventListener("abort", onGone, { once: true });
    this.#starting = this.#start(run, controller.signal)
      .catch((e) => {
        if (run !== this.#run) return;
        if (this.#gone.aborted) {
          this.state = "off";
          return;
        }
        const why = controller.signal.aborted ? controller.signal.reason : e;
        this.fail(`it did not start: ${(why as Error).message}`);
      })
      .finally(() => {
        clearTimeout(timer);
        this.#gone.removeEventListener("abort", onGone);
        if (run === this.#run) this.#starting = null;
      });
    return this.#starting;
  }

  async #start(run: number, signal: AbortSignal): Promise<void> {
    await this.#stopping;
    await this.#forceStop(signal); // leftovers of an earlier run
    await this.#ensureInstalled(signal);
    if (run !== this.#run) return;
    this.#startInstrumentation(run);
    // the server listens once the instrumentation has started it
    for (;;) {
      signal.throwIfAborted();
      if (run !== this.#run) return;
      if (!this.#instrumentation) throw new FastUiError("the instrumentation ended while starting");
      const status = await this.#http("GET", "/status", undefined, signal)
        .then((a) => this.#value(a, "GET /status") as { ready?: boolean } | null)
        .catch(() => null);
      if (status?.ready) break;
      await Bun.sleep(250);
    }
    const created = await this.#http(
      "POST",
      "/session",
      { capabilities: { firstMatch: [{}], alwaysMatch: {} } },
      signal,
    );
    const value = this.#value(created, "POST /session") as { sessionId?: string } | null;
    const id = value?.sessionId;
    if (!id) throw new FastUiError("POST /session answered no session id");
    if (run !== this.#run) return;
    this.#session = id;
    // no wait for the screen to go idle before each action (10 s by default): a video feed never does, and the
    // scripts wait for the screens they expect themselves (an old server without the setting is fine too)
    await this.#http(
      "POST",
      `/session/${id}/appium/settings`,
      { settings: { waitForIdleTimeout: 0 } },
      signal,
    )
      .then((a) => this.#value(a, "POST /appium/settings"))
      .catch(() => {});
    if (run !== this.#run) return;
    this.state = "ready";
    this.#log.info(`fast UI ready: Appium UiAutomator2 server ${SERVER_VERSION}, session ${id}`);
  }

  /** What `pm` says is installed: the server's versionName and whether the test package is there. */
  async installed(signal: AbortSignal): Promise<{ server: string | null; test: boolean }> {
    const dump = await runShell(this.#adb, sh("dumpsys", "package", SERVER_PKG), signal);
    const version = /versionName=(\S+)/.exec(dump.stdout)?.[1] ?? null;
    const list = await runShell(this.#adb, sh("pm", "list", "packages", TEST_PKG), signal);
    const test = list.stdout.split("\n").some((l) => l.trim() === `package:${TEST_PKG}`);
    return { server: version, test };
  }

  async #ensureInstalled(signal: AbortSignal): Promise<void> {
    const have = await this.installed(signal);
    const missing = APKS.filter((apk) =>
      apk.pkg === SERVER_PKG ? have.server !== SERVER_VERSION : !have.test,
    );
    // the test package carries no version of its own: installed again with a new server
    if (missing.some((a) => a.pkg === SERVER_PKG) && have.test) {
      const test = APKS.find((a) => a.pkg === TEST_PKG);
      if (test && !missing.includes(test)) missing.push(test);
    }
    for (const apk of missing) await this.#install(apk, signal);
  }

  async #install(apk: Apk, signal: AbortSignal): Promise<void> {
    this.#log.info(`fast UI: installing ${apk.pkg} ${apk.pkg === SERVER_PKG ? SERVER_VERSION : ""}`.trim());
    const sync = await this.#adb.sync();
    const onAbort = () => void sync.dispose().catch(() => {});
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await sync.write({
        filename: apk.remote,
        file: Bun.file(apk.path).stream() as unknown as AdbReadableStream<Uint8Array>,
        permission: 0o644,
      });
    } finally {
      signal.removeEventListener("abort", onAbort);
      await sync.dispose().catch(() => {});
    }
    const r = await runShell(this.#adb, sh("pm", "install", "-r", "-d", "-g", apk.remote), signal);
    await runShell(this.#adb, sh("rm", "-f", apk.remote), signal).catch(() => {});
    if (r.exitCode !== 0 || !/\bSuccess\b/.test(r.stdout)) {
      throw new FastUiError(
        `pm install ${apk.pkg} refused: ${said(r.stdout + r.stderr) || `exit ${r.exitCode}`}`,
      );
    }
  }

  /** `am instrument -w` in a stream of its own, open while the server runs; its end is a failure. */
  #startInstrumentation(run: number): void {
    const controller = new AbortController();
    this.#instrumentation = controller;
    const command = sh("am", "instrument", "-w", "-e", "disableAnalytics", "true", INSTRUMENTATION);
    void (async () => {
      let output = "";
      try {
        const shell = this.#adb.subprocess.shellProtocol;
        if (shell) {
          const proc = await shell.spawn([command], controller.signal);
          const [out] = await Promise.all([readAll(proc.stdout), readAll(proc.stderr), proc.exited]);
          output = new TextDecoder().decode(out);
        } else {
          const proc = await this.#adb.subprocess.noneProtocol.spawn([command], controller.signal);
          proc.exited.catch(() => {});
          output = new TextDecoder().decode(await readAll(proc.output));
        }
      } catch (e) {
        output = (e as Error).message;
      }
      if (controller.signal.aborted || run !== this.#run) return;
      if (this.#gone.aborted) {
        // the phone went away, and the server with it: that says nothing of fast UI on the phone
        this.state = "off";
        this.#session = null;
        this.#instrumentation = null;
        return;
      }
      this.#instrumentation = null;
      const tail = /shortMsg=([^\n]+)|INSTRUMENTATION_FAILED[^\n]*|Error=([^\n]+)/.exec(output)?.[0];
      if (this.state === "ready" || this.state === "starting") {
        this.fail(`the instrumentation ended${tail ? ` (${said(tail)})` : ""}`);
      }
    })();
  }

  async #http(method: string, path: string, body: unknown, signal: AbortSignal) {
    const limit = AbortSignal.timeout(this.#requestTimeoutMs);
    const both = AbortSignal.any([signal, limit, this.#gone]);
    try {
      return await phoneHttp(this.#adb, SERVER_PORT, method, path, body, both);
    } catch (e) {
      if (limit.aborted && !signal.aborted)
        throw new FastUiError(`${method} ${path} got no answer in ${this.#requestTimeoutMs / 1000} s`);
      throw e;
    }
  }

  #value(answer: { status: number; body: string }, what: string): unknown {
    let parsed: { value?: unknown } = {};
    try {
      parsed = JSON.parse(answer.body) as { value?: unknown };
    } catch {
      throw new FastUiError(`${what} answered ${answer.status} with no JSON`);
    }
    if (answer.status !== 200) {
      const v = parsed.value as { error?: string; message?: string } | undefined;
      throw new FastUiError(
        `${what} answered ${answer.status}: ${said(v?.message ?? v?.error ?? answer.body)}`,
      );
    }
    return parsed.value ?? null;
  }

  async #command(method: string, path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    const session = this.#session;
    if (!session || this.state !== "ready") throw new FastUiError("not ready");
    const what = `${method} ${path}`;
    return this.#value(await this.#http(method, `/session/${session}${path}`, body, signal), what);
  }

  /** The page source (the server's XML: the class name as the tag, `ui-tree.ts` reads it). */
  async source(signal: AbortSignal): Promise<string> {
    const value = await this.#command("GET", "/source", undefined, signal);
    if (typeof value !== "string" || !value.includes("<hierarchy"))
      throw new FastUiError("GET /source answered no page source");
    return value;
  }

  async tap(x: number, y: number, signal: AbortSignal): Promise<void> {
    await this.#command("POST", "/appium/gestures/click", { offset: { x, y } }, signal);
  }

  /** A key press (Android's key code: 4 BACK, 66 ENTER, …). */
  async keyEvent(keycode: number, signal: AbortSignal): Promise<void> {
    await this.#command("POST", "/appium/device/press_keycode", { keycode }, signal);
  }

  /** A touch from (x1,y1) to (x2,y2) taking `ms` (W3C pointer actions). */
  async swipe(
    x1: number,
    y1: number,
    x2: number,
    y2: number,
    ms: number,
    signal: AbortSignal,
  ): Promise<void> {
    const actions = [
      {
        type: "pointer",
        id: "finger1",
        parameters: { pointerType: "touch" },
        actions: [
          { type: "pointerMove", duration: 0, x: x1, y: y1 },
          { type: "pointerDown", button: 0 },
          { type: "pointerMove", duration: Math.max(0, ms), origin: "viewport", x: x2, y: y2 },
          { type: "pointerUp", button: 0 },
        ],
      },
    ];
    await this.#command("POST", "/actions", { actions }, signal);
  }

  /**
   * Turns fast UI off for this phone after a failure: one warning says why; the server is stopped; the stock
   * tools serve until the back-off passed or it is turned on again.
   */
  fail(reason: string): void {
    if (this.state === "fallback" || this.state === "off") return;
    this.state = "fallback";
    this.reason = reason;
    this.#retryAt = this.#now() + this.#retryAfterMs;
    const minutes = Math.round(this.#retryAfterMs / 60_000);
    this.#log.warn(
      `fast UI off, back to uiautomator dump and input: ${reason} (tried again in ${minutes} min or when turned on)`,
    );
    void this.#shutdown().catch(() => {});
  }

  /** Ends the session, the instrumentation and both packages' processes: nothing of it keeps running. */
  async stop(): Promise<void> {
    this.state = "off";
    this.reason = null;
    await this.#shutdown();
  }

  #shutdown(): Promise<void> {
    this.#run++;
    this.#starting = null;
    const session = this.#session;
    this.#session = null;
    const instrumentation = this.#instrumentation;
    this.#instrumentation = null;
    const done = (async () => {
      // never started, or already stopped: nothing runs on the phone, no command to send
      if (!session && !instrumentation) return;
      if (this.#gone.aborted) {
        instrumentation?.abort();
        return;
      }
      const signal = AbortSignal.any([AbortSignal.timeout(3000), this.#gone]);
      if (session)
        await phoneHttp(this.#adb, SERVER_PORT, "DELETE", `/session/${session}`, undefined, signal).catch(
          () => {},
        );
      instrumentation?.abort();
      await this.#forceStop(signal).catch(() => {});
    })();
    // a start waits for it: the force-stop must not hit the next server
    this.#stopping = done.catch(() => {});
    return done;
  }

  async #forceStop(signal: AbortSignal): Promise<void> {
    await runShell(
      this.#adb,
      `${sh("am", "force-stop", SERVER_PKG)}; ${sh("am", "force-stop", TEST_PKG)}`,
      signal,
    );
  }

  /** Stops the server and removes both packages; returns the ones that were removed. */
  async uninstall(signal: AbortSignal): Promise<string[]> {
    await this.stop();
    const removed: string[] = [];
    for (const pkg of [TEST_PKG, SERVER_PKG]) {
      const r = await runShell(this.#adb, sh("pm", "uninstall", pkg), signal);
      if (/\bSuccess\b/.test(r.stdout)) removed.push(pkg);
    }
    return removed;
  }
}
