/**
 * Appium's UiAutomator2 server, as far as a host sees it: two packages installed with `pm install`, a server
 * started by `am instrument -w … io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner`
 * that lives as long as that command (or until `am force-stop`, an uninstall, a deleted session), and HTTP/1.1
 * on the phone's port 6790 (ADB `OPEN tcp:6790`): `GET /status`, `GET /sessions`, `POST /session`,
 * `DELETE /session/:id`, `GET /session/:id/source` (the page source in the server's form: the screen the apps
 * show now), `POST /session/:id/appium/gestures/click` (`{offset:{x,y}}`) and `POST /session/:id/actions`
 * (W3C pointer actions: a tap or a swipe), `POST /session/:id/appium/device/press_keycode`,
 * `POST /session/:id/appium/settings`, answered as the server does (`{sessionId, value}`; errors
 * `{value:{error, message, stacktrace}}`). Knobs make it fail (`crash`, `crashAfter`,
 * `failRequests`, `crashOnStart`).
 */
import { randomUUID } from "node:crypto";
import { toAppiumXml } from "./apps/ui.ts";
import { err, out, sleepAbortable } from "./commands/command.ts";
import type { Device } from "./device.ts";
import type { CommandContext } from "./shell.ts";
import type { AdbStream } from "./stream.ts";

export const UIA2_SERVER_PKG = "io.appium.uiautomator2.server";
export const UIA2_TEST_PKG = `${UIA2_SERVER_PKG}.test`;
export const UIA2_RUNNER = `${UIA2_TEST_PKG}/androidx.test.runner.AndroidJUnitRunner`;
export const UIA2_PORT = 6790;

/** What the server's commands cost on the phone (the `latency` profile): false when aborted meanwhile. */
export interface Uia2Latency {
  serve(kind: "fast-ui source" | "fast-ui action", signal: AbortSignal): Promise<boolean>;
}

export interface Uia2Request {
  at: number;
  method: string;
  path: string;
  status: number;
}

export class Uia2Sim {
  /** The server process is up and listens on port 6790. */
  running = false;
  /** The session the server holds (one at a time, as the real one). */
  session: string | null = null;
  /** How many instrumentations were started. */
  starts = 0;
  /** Every HTTP request served, in order. */
  readonly requests: Uia2Request[] = [];
  /** The instrumentation crashes right after it starts, every time (a phone that refuses it). */
  crashOnStart = false;
  /** The next N commands (all but /status) answer HTTP 500; Infinity: every one. */
  failRequests = 0;
  /** The server crashes after serving this many more commands (null: never). */
  crashAfter: number | null = null;
  latency: Uia2Latency | null = null;
  /** The server's settings as a host set them (`POST /session/:id/appium/settings`). */
  readonly settings: Record<string, unknown> = {};
  private stopped: (() => void) | null = null;
  private crashed = false;

  constructor(private readonly dev: Device) {}

  /** Whether both packages are installed (what the instrumentation needs). */
  get installed(): boolean {
    return this.dev.packages.has(UIA2_SERVER_PKG) && this.dev.packages.has(UIA2_TEST_PKG);
  }

  /** The server process dies now (an app crash): the instrumentation command ends, the port closes. */
  crash(): void {
    this.crashed = true;
    this.stop();
  }

  /** The server stops (force-stop, uninstall, reboot, a deleted session). */
  stop(): void {
    this.running = false;
    this.session = null;
    const s = this.stopped;
    this.stopped = null;
    s?.();
  }

  /** `am force-stop PKG` (or an uninstall) of either package stops the server. */
  forceStopped(pkg: string): void {
    if (pkg === UIA2_SERVER_PKG || pkg === UIA2_TEST_PKG) this.stop();
  }

  /** `am instrument [-w] [-r] [-e K V]… [--no-window-animation] COMPONENT`. */
  async instrument(ctx: CommandContext, args: string[]): Promise<number> {
    const target = args.filter((a, i) => !a.startsWith("-") && args[i - 1] !== "-e" && args[i - 2] !== "-e");
    const component = target[target.length - 1] ?? "";
    if (component !== UIA2_RUNNER || !this.installed) {
      await out(
        ctx,
        `INSTRUMENTATION_STATUS: Error=Unable to find instrumentation info for: ComponentInfo{${component}}\n` +
          "INSTRUMENTATION_STATUS_CODE: -1\n",
      );
      await err(ctx, `android.util.AndroidException: INSTRUMENTATION_FAILED: ${component}\n`);
      return 1;
    }
    // one server at a time: a new instrumentation replaces the old one
    this.stop();
    this.starts++;
    this.crashed = false;
    if (this.crashOnStart) {
      await out(ctx, "INSTRUMENTATION_RESULT: shortMsg=Process crashed.\nINSTRUMENTATION_CODE: 0\n");
      return 0;
    }
    const ended = new Promise<void>((resolve) => {
      this.stopped = resolve;
    });
    this.running = true;
    await out(
      ctx,
      "INSTRUMENTATION_STATUS: class=io.appium.uiautomator2.server.test.AppiumUiAutomator2Server\n" +
        "INSTRUMENTATION_STATUS: current=1\nINSTRUMENTATION_STATUS: id=AndroidJUnitRunner\n" +
        "INSTRUMENTATION_STATUS: numtests=1\nINSTRUMENTATION_STATUS: stream=\n" +
        "INSTRUMENTATION_STATUS: test=startServer\nINSTRUMENTATION_STATUS_CODE: 1\n",
    );
    const aborted = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.race([ended, aborted]);
    if (ctx.signal.aborted) {
      // the shell that ran `am instrument` went away: the runner is killed with it
      this.stop();
      return 130;
    }
    if (this.crashed) {
      await out(ctx, "INSTRUMENTATION_RESULT: shortMsg=Process crashed.\nINSTRUMENTATION_CODE: 0\n");
      return 0;
    }
    await out(ctx, "\nTime: 12.345\n\nOK (1 test)\n\nINSTRUMENTATION_CODE: -1\n");
    return 0;
  }

  /** One `tcp:6790` stream: HTTP/1.1 requests until the host closes it or asks `Connection: close`. */
  async serve(stream: AdbStream): Promise<void> {
    let buf = Buffer.alloc(0);
    const more = async (): Promise<boolean> => {
      const d = await stream.read();
      if (!d) return false;
      buf = Buffer.concat([buf, d]);
      return true;
    };
    for (;;) {
      let end = buf.indexOf("\r\n\r\n");
      while (end < 0) {
        if (!(await more())) return;
        end = buf.indexOf("\r\n\r\n");
      }
      const head = buf.subarray(0, end).toString("latin1").split("\r\n");
      const [method = "", path = ""] = (head[0] ?? "").split(" ");
      const headers = new Map<string, string>();
      for (const line of head.slice(1)) {
        const colon = line.indexOf(":");
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = Number(headers.get("content-length") ?? 0);
      while (buf.length < end + 4 + length) {
        if (!(await more())) return;
      }
      const body = buf.subarray(end + 4, end + 4 + length).toString("utf8");
      buf = buf.subarray(end + 4 + length);
      const [status, answer] = this.running
        ? await this.handle(method, path, body, stream.signal)
        : [503, { value: { error: "unknown error", message: "the server is not running" } }];
      this.requests.push({ at: this.dev.cfg.clock.now(), method, path, status });
      if (status === 0) return;
      const json = Buffer.from(JSON.stringify(answer), "utf8");
      const close = headers.get("connection")?.toLowerCase() === "close" || !this.running;
      const reason = status === 200 ? "OK" : status === 404 ? "Not Found" : "Internal Server Error";
      await stream.write(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
              `content-length: ${json.length}\r\n${close ? "connection: close\r\n" : ""}\r\n`,
          ),
          json,
        ]),
      );
      if (close) return;
    }
  }

  private async handle(
    method: string,
    rawPath: string,
    body: string,
    signal: AbortSignal,
  ): Promise<[number, unknown]> {
    const path = (rawPath.split("?")[0] ?? "").replace(/^\/wd\/hub(?=\/)/, "");
    const parts = path.split("/").filter(Boolean);
    const error = (status: number, name: string, message: string): [number, unknown] => [
      status,
      {
        sessionId: this.session,
        value: { error: name, message, stacktrace: `io.appium.uiautomator2: ${message}` },
      },
    ];
    if (method === "GET" && path === "/status") {
      const v = this.dev.versions.get(UIA2_SERVER_PKG);
      return [
        200,
        {
          sessionId: "None",
          value: {
            ready: true,
            message: "UiAutomator2 Server is ready to accept commands",
            build: { version: v?.name ?? "", versionCode: v?.code ?? 0 },
          },
        },
      ];
    }
    if (method === "GET" && path === "/sessions") {
      return [
        200,
        { sessionId: "None", value: this.session ? [{ id: this.session, capabilities: {} }] : [] },
      ];
    }
    if (this.crashAfter !== null && this.crashAfter-- <= 0) {
      this.crashAfter = null;
      this.crash();
      return [0, null]; // the process is gone: the connection closes with no answer
    }
    if (this.failRequests > 0) {
      this.failRequests--;
      return error(500, "unknown error", "java.lang.IllegalStateException: UiAutomation not connected");
    }
    if (method === "POST" && path === "/session") {
      let caps: unknown;
      try {
        caps = (JSON.parse(body || "{}") as { capabilities?: unknown }).capabilities;
      } catch {
        return error(400, "invalid argument", "the body is not JSON");
      }
      if (!caps)
        return error(500, "session not created", "'capabilities' are mandatory for session creation");
      this.session = randomUUID();
      return [200, { sessionId: this.session, value: { sessionId: this.session, capabilities: caps } }];
    }
    if (parts[0] !== "session" || !parts[1]) return error(404, "unknown command", `${method} ${path}`);
    if (parts[1] !== this.session) {
      return error(404, "invalid session id", `The session ${parts[1]} cannot be found`);
    }
    const rest = parts.slice(2).join("/");
    if (method === "DELETE" && rest === "") {
      const id = this.session;
      // the server shuts down once the answer is out (that server: not one started since)
      const started = this.starts;
      this.session = null;
      setTimeout(() => {
        if (this.starts === started) this.stop();
      }, 15);
      return [200, { sessionId: id, value: null }];
    }
    if (method === "GET" && rest === "source") {
      if (this.latency && !(await this.latency.serve("fast-ui source", signal))) return [500, {}];
      const { width, height } = this.dev.cfg.screen;
      return [200, { sessionId: this.session, value: toAppiumXml(this.dev.roots(), width, height) }];
    }
    if (method === "POST" && rest === "appium/settings") {
      const parsed = parseJson(body) as { settings?: Record<string, unknown> } | null;
      if (!parsed?.settings) return error(400, "invalid argument", "'settings' are mandatory");
      Object.assign(this.settings, parsed.settings);
      return [200, { sessionId: this.session, value: null }];
    }
    if (method === "POST" && rest === "appium/device/press_keycode") {
      const keycode = (parseJson(body) as { keycode?: unknown } | null)?.keycode;
      if (typeof keycode !== "number") return error(400, "invalid argument", "'keycode' is mandatory");
      if (this.latency && !(await this.latency.serve("fast-ui action", signal))) return [500, {}];
      this.dev.key(keycode);
      return [200, { sessionId: this.session, value: null }];
    }
    if (method === "POST" && (rest === "appium/gestures/click" || rest === "actions")) {
      let input: unknown;
      try {
        input = JSON.parse(body || "{}");
      } catch {
        return error(400, "invalid argument", "the body is not JSON");
      }
      const gesture = rest === "actions" ? pointerGesture(input) : clickGesture(input);
      if (!gesture) return error(400, "invalid argument", `cannot read the gesture of ${rest}`);
      if (this.latency && !(await this.latency.serve("fast-ui action", signal))) return [500, {}];
      const [x1, y1, x2, y2, ms] = gesture;
      this.dev.swipe(x1, y1, x2, y2, ms);
      if (ms > 0 && (Math.abs(x2 - x1) >= 10 || Math.abs(y2 - y1) >= 10))
        await sleepAbortable(this.dev, Math.min(ms, 2000), signal);
      return [200, { sessionId: this.session, value: null }];
    }
    return error(404, "unknown command", `${method} ${path}`);
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body || "{}");
  } catch {
    return null;
  }
}

type Gesture = [x1: number, y1: number, x2: number, y2: number, ms: number];

function clickGesture(input: unknown): Gesture | null {
  const o = (input as { offset?: { x?: unknown; y?: unknown } }).offset;
  if (typeof o?.x !== "number" || typeof o.y !== "number") return null;
  return [o.x, o.y, o.x, o.y, 0];
}

interface W3CStep {
  type?: string;
  duration?: number;
  x?: number;
  y?: number;
}

/** One touch pointer's actions: where it went down, where it came up, and how long it was down. */
function pointerGesture(input: unknown): Gesture | null {
  const seq = (input as { actions?: { type?: string; actions?: W3CStep[] }[] }).actions?.find(
    (a) => a.type === "pointer",
  );
  if (!seq?.actions) return null;
  let x = Number.NaN;
  let y = Number.NaN;
  let down: [number, number] | null = null;
  let up: [number, number] | null = null;
  let ms = 0;
  for (const step of seq.actions) {
    if (step.type === "pointerMove") {
      if (typeof step.x === "number" && typeof step.y === "number") {
        x = step.x;
        y = step.y;
      }
      if (down) ms += step.duration ?? 0;
    } else if (step.type === "pause" && down) ms += step.duration ?? 0;
    else if (step.type === "pointerDown") down = [x, y];
    else if (step.type === "pointerUp" && down) up = [x, y];
  }
  if (!down || !up || [...down, ...up].some(Number.isNaN)) return null;
  return [down[0], down[1], up[0], up[1], ms];
}
