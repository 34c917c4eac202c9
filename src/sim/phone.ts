/** VirtualPhone: the device side of ADB over TCP (what adbd does on a real phone), with simulated apps. */
import { constants, createPublicKey, publicDecrypt, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SimApp } from "./apps/app.ts";
import type { InstagramApp } from "./apps/instagram.ts";
import type { TikTokApp } from "./apps/tiktok.ts";
import { makeShellHost } from "./commands/host.ts";
import { DEFAULT_APPS, Device } from "./device.ts";
import { PhoneFs } from "./fs.ts";
import {
  A_AUTH,
  A_CLSE,
  A_CNXN,
  A_OKAY,
  A_OPEN,
  A_VERSION,
  A_VERSION_SKIP_CHECKSUM,
  A_WRTE,
  AUTH_RSAPUBLICKEY,
  AUTH_SIGNATURE,
  AUTH_TOKEN,
  encodePacket,
  type Packet,
  PacketReader,
} from "./protocol.ts";
import { type Io, Shell, type ShellHost, type Sink, type Source } from "./shell.ts";
import { AdbStream, StreamReader, type StreamTransport } from "./stream.ts";
import { runSync } from "./sync.ts";

export type AuthMode = "none" | "accept" | "reject";

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
  latencyMs?: number;
  maxData?: number;
  popups?: boolean;
}

export interface RecordedCommand {
  at: number;
  service: string;
  command: string;
}

export const FEATURES = [
  "shell_v2",
  "cmd",
  "stat_v2",
  "ls_v2",
  "fixed_push_mkdir",
  "abb_exec",
  "sendrecv_v2",
];

const ENV = {
  PATH: "/product/bin:/apex/com.android.runtime/bin:/apex/com.android.art/bin:/system_ext/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin:/vendor/xbin",
  HOME: "/",
  SHELL: "/system/bin/sh",
  USER: "shell",
  LOGNAME: "shell",
  HOSTNAME: "localhost",
  TMPDIR: "/data/local/tmp",
  EXTERNAL_STORAGE: "/sdcard",
  ANDROID_DATA: "/data",
  ANDROID_ROOT: "/system",
  ANDROID_STORAGE: "/storage",
};

function bannerValue(s: string): string {
  return s.replace(/[:;=,]/g, "_");
}

/** Verifies an AUTH signature against an adb public key ("BASE64 user@host"). */
function verifySignature(publicKey: string, token: Buffer, signature: Buffer): boolean {
  try {
    const raw = Buffer.from(publicKey.trim().split(/\s+/)[0] ?? "", "base64");
    const words = raw.readUInt32LE(0);
    const nLe = raw.subarray(8, 8 + words * 4);
    const e = raw.readUInt32LE(8 + words * 8);
    const n = Buffer.from(nLe).reverse();
    const eb = Buffer.alloc(4);
    eb.writeUInt32BE(e, 0);
    const key = createPublicKey({
      key: {
        kty: "RSA",
        n: n.toString("base64url"),
        e: eb.subarray(eb.findIndex((b) => b !== 0)).toString("base64url"),
      },
      format: "jwk",
    });
    const dec = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return dec.subarray(dec.length - token.length).equals(token);
  } catch {
    return false;
  }
}

/** A stdin queue fed by the host. */
class QueueSource implements Source {
  private q: Uint8Array[] = [];
  private ended = false;
  private waiter: (() => void) | null = null;
  push(d: Uint8Array): void {
    this.q.push(d);
    this.wake();
  }
  end(): void {
    this.ended = true;
    this.wake();
  }
  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const d = this.q.shift();
      if (d) return d;
      if (this.ended) return null;
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
  }
}

function toCrlf(data: Uint8Array | string): Buffer {
  const b =
    typeof data === "string"
      ? Buffer.from(data, "utf8")
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let count = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) count++;
  if (count === 0) return b;
  const out = Buffer.allocUnsafe(b.length + count);
  let j = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x0a) out[j++] = 0x0d;
    out[j++] = b[i] as number;
  }
  return out;
}

class Connection implements StreamTransport {
  private reader = new PacketReader();
  private online = false;
  private hostVersion = A_VERSION;
  private hostMaxData = 256 * 1024;
  private token: Buffer | null = null;
  /** A public key the host sent while the phone was not accepting: the "Allow USB debugging?" prompt is up. */
  private pendingKey: string | null = null;
  private streams = new Map<number, AdbStream>();
  private nextId = 1;
  private dead = false;

  constructor(
    private readonly phone: VirtualPhone,
    readonly socket: Socket,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      let packets: Packet[];
      try {
        packets = this.reader.push(chunk);
      } catch {
        this.destroy();
        return;
      }
      for (const p of packets) this.onPacket(p);
    });
    socket.on("error", () => this.destroy());
    socket.on("close", () => this.destroy());
  }

  get maxPayload(): number {
    return Math.min(this.hostMaxData, this.phone.maxData);
  }

  private send(command: number, arg0: number, arg1: number, payload?: Uint8Array): void {
    if (this.dead) return;
    const withChecksum =
      this.hostVersion < A_VERSION_SKIP_CHECKSUM || command === A_AUTH || command === A_CNXN;
    this.socket.write(encodePacket(command, arg0, arg1, payload, withChecksum));
  }

  sendOkay(localId: number, remoteId: number): void {
    this.send(A_OKAY, localId, remoteId);
  }
  sendWrite(localId: number, remoteId: number, data: Uint8Array): void {
    this.send(A_WRTE, localId, remoteId, data);
  }
  sendClose(localId: number, remoteId: number): void {
    this.send(A_CLSE, localId, remoteId);
    this.streams.delete(localId);
  }

  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    for (const s of this.streams.values()) s.onRemoteClose(false);
    this.streams.clear();
    this.socket.destroy();
    this.phone.forget(this);
  }

  /** The auth mode changed: a prompt still up is answered now ("Allow" when accepting). */
  authChanged(): void {
    if (this.online || this.dead) return;
    if (this.phone.authMode === "none" && this.token) {
      this.sendConnect();
    } else if (this.phone.authMode === "accept" && this.pendingKey) {
      this.phone.authorizedKeys.add(this.pendingKey);
      this.sendConnect();
    }
  }

  private sendConnect(): void {
    this.online = true;
    this.pendingKey = null;
    this.token = null;
    const p = this.phone;
    const d = p.device.props;
    const banner =
      `device::ro.product.name=${bannerValue(d["ro.product.name"] ?? "")};ro.product.model=${bannerValue(d["ro.product.model"] ?? "")};` +
      `ro.product.device=${bannerValue(d["ro.product.device"] ?? "")};features=${FEATURES.join(",")}`;
    this.send(A_CNXN, Math.min(this.hostVersion, A_VERSION), p.maxData, Buffer.from(banner, "utf8"));
  }

  private sendToken(): void {
    this.token = randomBytes(20);
    this.send(A_AUTH, AUTH_TOKEN, 0, this.token);
  }

  private onPacket(p: Packet): void {
    switch (p.command) {
      case A_CNXN: {
        // A new handshake resets the connection.
        for (const s of this.streams.values()) s.onRemoteClose(false);
        this.streams.clear();
        this.online = false;
        this.hostVersion = p.arg0;
        this.hostMaxData = p.arg1 || 4096;
        const mode = this.phone.authMode;
        if (mode === "none") this.sendConnect();
        else this.sendToken();
        return;
      }
      case A_AUTH: {
        if (this.online || !this.token) return;
        const mode = this.phone.authMode;
        if (p.arg0 === AUTH_SIGNATURE) {
          const token = this.token;
          const ok =
            mode === "accept" &&
            [...this.phone.authorizedKeys].some((k) => verifySignature(k, token, p.payload));
          if (ok) this.sendConnect();
          else this.sendToken();
        } else if (p.arg0 === AUTH_RSAPUBLICKEY) {
          const key = p.payload.toString("utf8").replace(/\0+$/, "");
          this.phone.receivedKeys.push(key);
          if (mode === "accept") {
            // The user taps "Allow" (and "Always allow from this computer").
            this.phone.authorizedKeys.add(key);
            this.sendConnect();
          } else {
            this.pendingKey = key;
          }
        }
        return;
      }
      case A_OPEN: {
        if (!this.online) return;
        const service = p.payload.toString("utf8").replace(/\0+$/, "");
        void this.open(p.arg0, service);
        return;
      }
      case A_OKAY: {
        this.streams.get(p.arg1)?.onHostOkay();
        return;
      }
      case A_WRTE: {
        const s = this.streams.get(p.arg1);
        if (s) s.onHostWrite(p.payload);
        else this.send(A_CLSE, 0, p.arg0);
        return;
      }
      case A_CLSE: {
        const s = this.streams.get(p.arg1);
        if (s) {
          this.streams.delete(p.arg1);
          s.onRemoteClose(true);
        }
        return;
      }
      default:
        return;
    }
  }

  private async open(remoteId: number, service: string): Promise<void> {
    const handler = this.phone.serviceHandler(service);
    if (this.phone.latencyMs > 0) await new Promise((r) => setTimeout(r, this.phone.latencyMs));
    if (this.dead) return;
    if (!handler) {
      this.send(A_CLSE, 0, remoteId);
      return;
    }
    const localId = this.nextId++;
    const stream = new AdbStream(localId, remoteId, service, this);
    this.streams.set(localId, stream);
    this.send(A_OKAY, localId, remoteId);
    try {
      await handler(stream);
    } catch {
      // A service failing closes its stream, like a crashing subprocess.
    }
    await stream.close().catch(() => undefined);
  }
}

type ServiceHandler = (stream: AdbStream) => Promise<void>;

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
  authMode: AuthMode;
  private server: Server | null = null;
  private conns = new Set<Connection>();
  private shellHost: ShellHost;
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
      },
      fs,
    );
    this.shellHost = makeShellHost(this.device, { reboot: () => void this.reboot() });
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
      if (v2) return (s) => this.shellV2(s, arg, pty);
      return (s) => this.shellRaw(s, arg, true, pty || arg === "");
    }
    switch (name) {
      case "exec":
        this.record("exec", arg);
        return (s) => this.shellRaw(s, arg, false, false);
      case "sync":
        return (s) => runSync(s, { fs: this.device.fs, record: (svc, cmd) => this.record(svc, cmd) });
      case "abb_exec": {
        const args = arg.split("\0");
        this.record("abb_exec", args.join(" "));
        const line = `cmd ${args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")}`;
        return (s) => this.shellRaw(s, line, false, false);
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

  private newShell(): Shell {
    return new Shell(this.shellHost, ENV);
  }

  /** shell v2: packets [id u8][len u32][data]; stdout 1, stderr 2, exit 3; stdin 0, close-stdin 4. */
  private async shellV2(stream: AdbStream, command: string, pty: boolean): Promise<void> {
    const stdin = new QueueSource();
    const packet = (id: number, data: Uint8Array): Buffer => {
      const h = Buffer.alloc(5);
      h[0] = id;
      h.writeUInt32LE(data.length, 1);
      return Buffer.concat([h, data]);
    };
    const maxChunk = 256 * 1024;
    const sinkFor = (id: number): Sink => ({
      write: async (d) => {
        let b =
          typeof d === "string" ? Buffer.from(d, "utf8") : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
        if (pty) b = toCrlf(b);
        for (let off = 0; off < b.length; off += maxChunk) {
          await stream.write(packet(id, b.subarray(off, off + maxChunk)));
        }
      },
    });
    // Read stdin packets in the background.
    void (async () => {
      const r = new StreamReader(stream);
      for (;;) {
        const h = await r.readExact(5);
        if (!h) break;
        const len = h.readUInt32LE(1);
        const data = len > 0 ? await r.readExact(len) : Buffer.alloc(0);
        if (!data) break;
        if (h[0] === 0) stdin.push(data);
        else if (h[0] === 4) stdin.end();
      }
      stdin.end();
    })();
    const out = sinkFor(1);
    const io: Io = { out, err: pty ? out : sinkFor(2), in: stdin, signal: stream.signal };
    let code: number;
    if (command === "") code = await this.interactive(io, pty);
    else code = await this.newShell().run(command, io);
    if (stream.closed) return;
    await stream.write(packet(3, Buffer.from([code & 0xff])));
  }

  /** shell: and exec: raw byte streams; `crlf` turns LF into CRLF like a pty does. */
  private async shellRaw(
    stream: AdbStream,
    command: string,
    crlf: boolean,
    interactive: boolean,
  ): Promise<void> {
    const sink: Sink = {
      write: async (d) => {
        await stream.write(crlf ? toCrlf(d) : d);
      },
    };
    const stdin: Source = { read: () => stream.read() };
    const io: Io = { out: sink, err: sink, in: stdin, signal: stream.signal };
    if (command === "") await this.interactive(io, interactive);
    else await this.newShell().run(command, io);
  }

  /** A shell reading commands from stdin, line by line; with a pty it prints a prompt. */
  private async interactive(io: Io, pty: boolean): Promise<number> {
    const shell = this.newShell();
    const prompt = () => (pty ? `${this.device.props["ro.product.device"]}:${shell.cwd} $ ` : "");
    if (pty) await io.out.write(prompt());
    let pending = "";
    for (;;) {
      const d = await io.in.read();
      if (!d) break;
      pending += Buffer.from(d).toString("utf8").replace(/\r/g, "\n");
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) {
          this.record("shell", line);
          try {
            const code = await shell.run(line, io);
            if (shell.exited) return code;
          } catch {
            return 1;
          }
        }
        const pr = prompt();
        if (pr) await io.out.write(pr);
        nl = pending.indexOf("\n");
      }
    }
    return shell.status;
  }
}
