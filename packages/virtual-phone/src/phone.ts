/** VirtualPhone: the device side of ADB over TCP (what adbd does on a real phone), with simulated apps. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SimApp } from "./apps/app.ts";
import type { InstagramApp } from "./apps/instagram/behaviour.ts";
import type { TikTokApp } from "./apps/tiktok/behaviour.ts";
import { makeShellHost } from "./commands/host.ts";
import { type AuthMode, Connection, FEATURES, type ServiceHandler } from "./connection.ts";
import { DEFAULT_APPS, Device, type PhoneClock, systemTime } from "./device.ts";
import { PhoneFs } from "./fs.ts";
import {
  type LatencyProfile,
  type LatencyProfileName,
  PhoneLatency,
  type PhoneWait,
  resolveLatency,
} from "./latency.ts";
import { type RealismOptions, resolveRealism } from "./realism.ts";
import { Shell, type ShellHost, type Sink } from "./shell.ts";
import { ENV, ShellSessions } from "./shell-session.ts";
import { runSync } from "./sync.ts";
import { UIA2_PORT, type Uia2Sim } from "./uia2.ts";

export type { AuthMode } from "./connection.ts";
export { FEATURES } from "./connection.ts";

export interface VirtualPhoneOptions {
  host?: string;
  port?: number;
  serial?: string;
  model?: string;
  brand?: string;
  androidVersion?: string;
  sdk?: number;
  screen?: { width: number; height: number };
  battery?: number;
  packages?: string[];
  auth?: AuthMode;
  /** Real time added to every stream's opening (a slow network in front of the phone). */
  latencyMs?: number;
  /**
   * How long each command takes, on the phone's clock (default none): a profile's name (`real-usb`: a
   * real phone over USB 2) or its figures. `waits` records each wait by kind.
   */
  latency?: LatencyProfileName | LatencyProfile;
  maxData?: number;
  popups?: boolean;
  /**
   * The phone's time (default the system's): uploads, swipes and `sleep` take this clock's time, so a
   * test's clock that moves itself makes them cost no real time.
   */
  clock?: PhoneClock;
  /**
   * Accounts signed in to each app, in the switcher's order, the first in use. Default: one per app,
   * named after the serial (`tiktok_<serial>`, `instagram_<serial>`); `[]` leaves the app signed out.
   */
  accounts?: { tiktok?: string[]; instagram?: string[] };
  /**
   * Behave like a real phone (default off): screen changes take time, the soft keyboard covers the lower
   * screen, success texts are toasts, video feeds fail dumps now and then, … (`RealismOptions`: each knob
   * on its own; `true`: all of them).
   */
  realistic?: boolean | RealismOptions;
}

export interface RecordedCommand {
  at: number;
  service: string;
  command: string;
}

export class VirtualPhone {
  readonly host: string;
  port: number;
  readonly serial: string;
  readonly root: string;
  readonly commands: RecordedCommand[] = [];
  readonly device: Device;
  /** Public keys the phone has accepted (like /data/misc/adb/adb_keys). */
  readonly authorizedKeys = new Set<string>();
  /** Every public key a host sent during AUTH. */
  readonly receivedKeys: string[] = [];
  readonly maxData: number;
  latencyMs: number;
  readonly latency: PhoneLatency;
  authMode: AuthMode;
  private server: Server | null = null;
  private conns = new Set<Connection>();
  private shellHost: ShellHost;
  private sessions: ShellSessions;
  private stopped = false;

  private constructor(opts: VirtualPhoneOptions) {
    this.host = opts.host ?? "127.0.0.1";
    this.port = opts.port ?? 0;
    this.serial = opts.serial ?? `SIM${randomBytes(5).toString("hex").toUpperCase()}`;
    this.maxData = opts.maxData ?? 1024 * 1024;
    this.latencyMs = opts.latencyMs ?? 0;
    this.authMode = opts.auth ?? "none";
    this.root = mkdtempSync(join(tmpdir(), "virtual-phone-"));
    const fs = new PhoneFs(this.root);
    fs.init();
    this.device = new Device(
      {
        serial: this.serial,
        model: opts.model ?? "Pixel 7",
        brand: opts.brand ?? "google",
        androidVersion: opts.androidVersion ?? "14",
        sdk: opts.sdk ?? 34,
        screen: opts.screen ?? { width: 1080, height: 2400 },
        battery: opts.battery ?? 87,
        packages: opts.packages ?? DEFAULT_APPS,
        popups: opts.popups ?? true,
        clock: opts.clock ?? systemTime,
        realism: resolveRealism(opts.realistic, this.serial),
      },
      fs,
    );
    const handle = this.serial.toLowerCase().replace(/[^a-z0-9]+/g, "");
    const accounts = opts.accounts ?? {};
    this.device.apps.tiktok.signIn(...(accounts.tiktok ?? [`tiktok_${handle}`]));
    this.device.apps.instagram.signIn(...(accounts.instagram ?? [`instagram_${handle}`]));
    this.latency = new PhoneLatency(resolveLatency(opts.latency), this.device);
    this.shellHost = makeShellHost(this.device, { reboot: () => void this.reboot() });
    // the one place where a command takes its kind's time (in place: `cmd` and `sh` look commands up here)
    const { commands } = this.shellHost;
    for (const [name, run] of Object.entries(commands)) {
      commands[name] = async (ctx) => ((await this.latency.beforeCommand(ctx)) ? run(ctx) : 130);
    }
    this.device.uia2.latency = this.latency;
    this.sessions = new ShellSessions(this.shellHost, this.device, (svc, cmd) => this.record(svc, cmd));
  }

  static async start(opts: VirtualPhoneOptions = {}): Promise<VirtualPhone> {
    const p = new VirtualPhone(opts);
    await p.listen();
    return p;
  }

  /** Every text typed (input text, ADBKeyBoard). */
  get typed(): string[] {
    return this.device.typed;
  }

  get apps(): { tiktok: TikTokApp; instagram: InstagramApp } {
    return this.device.apps;
  }

  /** Every wait the `latency` profile imposed: `{at, kind, ms}`, in order. */
  get waits(): PhoneWait[] {
    return this.latency.waits;
  }

  /** Appium's UiAutomator2 server on this phone: installed, running, its requests; knobs to make it fail. */
  get uia2(): Uia2Sim {
    return this.device.uia2;
  }

  /** The app in front (null: the launcher). */
  get foreground(): SimApp | null {
    return this.device.foreground;
  }

  /** The serial the adb server shows for this phone after `adb connect`. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Changes the auth mode; a connection waiting at the "Allow USB debugging?" prompt gets its answer now. */
  setAuth(mode: AuthMode): void {
    this.authMode = mode;
    for (const c of this.conns) c.authChanged();
  }

  record(service: string, command: string): void {
    this.commands.push({ at: Date.now(), service, command });
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        const c = new Connection(this, socket);
        this.conns.add(c);
      });
      server.once("error", reject);
      server.listen(this.port, this.host, () => {
        server.off("error", reject);
        const addr = server.address();
        if (addr && typeof addr === "object") this.port = addr.port;
        this.server = server;
        resolve();
      });
    });
  }

  forget(c: Connection): void {
    this.conns.delete(c);
  }

  /** The phone disappears: the listener closes and every connection is cut. */
  async vanish(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of [...this.conns]) c.destroy();
    this.conns.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** Listens again on the same port. */
  async comeBack(): Promise<void> {
    if (this.server || this.stopped) return;
    for (let i = 0; ; i++) {
      try {
        await this.listen();
        return;
      } catch (e) {
        if (i >= 50) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** `reboot`: the phone goes away (until comeBack) and its apps stop. */
  async reboot(): Promise<void> {
    this.device.reboot();
    await this.vanish();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.vanish();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Runs a shell command line directly (no ADB), e.g. for tests: returns stdout, stderr, exit code. */
  async exec(command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const outParts: Buffer[] = [];
    const errParts: Buffer[] = [];
    const sink = (parts: Buffer[]): Sink => ({
      write: async (d) => {
        parts.push(typeof d === "string" ? Buffer.from(d) : Buffer.from(d));
      },
    });
    const shell = new Shell(this.shellHost, ENV);
    const exitCode = await shell.run(command, {
      out: sink(outParts),
      err: sink(errParts),
      in: { read: async () => null },
      signal: new AbortController().signal,
    });
    return {
      stdout: Buffer.concat(outParts).toString("utf8"),
      stderr: Buffer.concat(errParts).toString("utf8"),
      exitCode,
    };
  }

  /** The handler for a service string, or null (refused with CLSE). */
  serviceHandler(service: string): ServiceHandler | null {
    const colon = service.indexOf(":");
    const name = colon >= 0 ? service.slice(0, colon) : service;
    const arg = colon >= 0 ? service.slice(colon + 1) : "";
    if (name === "shell" || name.startsWith("shell,")) {
      const opts = name.split(",").slice(1);
      const v2 = opts.includes("v2");
      const pty = opts.includes("pty") || (!opts.includes("raw") && arg === "");
      this.record(v2 ? "shell,v2" : "shell", arg);
      if (v2) return (s) => this.sessions.shellV2(s, arg, pty);
      return (s) => this.sessions.shellRaw(s, arg, true, pty || arg === "");
    }
    switch (name) {
      case "exec":
        this.record("exec", arg);
        return (s) => this.sessions.shellRaw(s, arg, false, false);
      case "sync":
        return (s) =>
          runSync(s, {
            fs: this.device.fs,
            record: (svc, cmd) => this.record(svc, cmd),
            transfer: (kind) => this.latency.transfer(kind),
          });
      case "abb_exec": {
        const args = arg.split("\0");
        this.record("abb_exec", args.join(" "));
        const line = `cmd ${args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")}`;
        return (s) => this.sessions.shellRaw(s, line, false, false);
      }
      case "reboot":
        this.record("reboot", arg);
        return async (s) => {
          await s.close();
          setTimeout(() => void this.reboot(), 50);
        };
      case "tcpip":
        this.record("tcpip", arg);
        return async (s) => {
          await s.write(`restarting in TCP mode port: ${arg}\n`);
        };
      case "usb":
        this.record("usb", arg);
        return async (s) => {
          await s.write("restarting in USB mode\n");
        };
      case "root":
        this.record("root", arg);
        return async (s) => {
          await s.write("adbd cannot run as root in production builds\n");
        };
      case "unroot":
        this.record("unroot", arg);
        return async (s) => {
          await s.write("adbd not running as root\n");
        };
      case "remount":
        this.record("remount", arg);
        return async (s) => {
          await s.write('Not running as root. Try "adb root" first.\n');
        };
      case "framebuffer":
        this.record("framebuffer", arg);
        return async (s) => {
          const c = this.device.screenshot();
          const h = Buffer.alloc(14 * 4);
          const vals = [2, 32, 0, c.width * c.height * 4, c.width, c.height, 0, 8, 16, 8, 8, 8, 24, 8];
          vals.forEach((v, i) => {
            h.writeUInt32LE(v, i * 4);
          });
          await s.write(Buffer.concat([h, c.rgba()]));
        };
      case "tcp":
        // a port on the phone: only Appium's UiAutomator2 server listens, while it runs (else refused)
        this.record("tcp", arg);
        if (Number(arg) !== UIA2_PORT || !this.device.uia2.running) return null;
        return (s) => this.device.uia2.serve(s);
      case "reverse":
        this.record("reverse", arg);
        return async (s) => {
          // No reverse tunnels: a phone never opens streams towards the host here.
          if (arg === "list-forward") await s.write("OKAY0000");
          else if (arg.startsWith("killforward")) await s.write("OKAY");
          else {
            const msg = "cannot bind listener: reverse tunnels are not supported by this phone";
            await s.write(`FAIL${msg.length.toString(16).padStart(4, "0")}${msg}`);
          }
        };
      case "host":
        // Some clients ask the transport for its features.
        if (arg === "features") {
          this.record("host", arg);
          return async (s) => {
            const f = FEATURES.join(",");
            await s.write(`${f.length.toString(16).padStart(4, "0")}${f}`);
          };
        }
        this.record(name, arg);
        return null;
      default:
        this.record(name, arg);
        return null;
    }
  }
}
