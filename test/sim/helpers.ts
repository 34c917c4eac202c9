/** Test helpers: a private adb server (Debian's adb) and a tiny raw ADB host for protocol checks. */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  A_CLSE,
  A_CNXN,
  A_OKAY,
  A_OPEN,
  A_VERSION,
  A_WRTE,
  encodePacket,
  type Packet,
  PacketReader,
} from "../../src/sim/protocol.ts";

export function adbPath(): string {
  const p = Bun.which("adb");
  if (!p) {
    throw new Error(
      "adb is not on PATH: these tests drive Debian's real adb server. Install it with `apt-get install -y adb`.",
    );
  }
  return p;
}

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => {
        const a = s.address();
        const p = a && typeof a === "object" ? a.port : 0;
        s.close(() => resolve(p));
      });
    });
    if (port < 5550 || port > 5590) return port;
  }
}

export interface Run {
  stdout: Buffer;
  stderr: string;
  code: number;
  text: string;
}

export interface AdbServer {
  port: number;
  home: string;
  run(args: string[], timeoutMs?: number): Promise<Run>;
  stop(): Promise<void>;
}

/** A private adb server: own port, own HOME (own keys), no emulator probing. */
export async function startAdbServer(): Promise<AdbServer> {
  const adb = adbPath();
  const home = await mkdtemp(join(tmpdir(), "sim-adb-home-"));
  const port = await freePort();
  const env = { ...process.env, HOME: home, ADB_EMU: "0", ANDROID_SDK_HOME: home, ADB_VENDOR_KEYS: "" };
  const run = async (args: string[], timeoutMs = 20000): Promise<Run> => {
    const proc = Bun.spawn([adb, "-P", String(port), ...args], {
      env,
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
    });
    const timer = setTimeout(() => proc.kill(), timeoutMs);
    const [out, err] = await Promise.all([
      new Response(proc.stdout).arrayBuffer(),
      new Response(proc.stderr).text(),
    ]);
    const code = await proc.exited;
    clearTimeout(timer);
    const stdout = Buffer.from(out);
    return { stdout, stderr: err, code, text: stdout.toString("utf8") };
  };
  const started = await run(["start-server"]);
  if (started.code !== 0) throw new Error(`adb start-server failed: ${started.stderr}`);
  return {
    port,
    home,
    run,
    stop: async () => {
      await run(["kill-server"], 5000).catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10000,
  what = "condition",
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

export function sha256(data: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

// ------------------------------------------------------------------------------------------------
// A raw ADB host, to look at the packets themselves.

export interface RawStream {
  localId: number;
  remoteId: number;
  data: Buffer[];
  closed: boolean;
  /** Largest WRTE payload seen. */
  maxWrite: number;
  /** Most WRTEs received before we sent OKAY. */
  maxInFlight: number;
  text(): string;
  write(data: Uint8Array | string): void;
  close(): void;
  waitClosed(timeoutMs?: number): Promise<void>;
}

export class RawHost {
  private reader = new PacketReader();
  private socket: Socket;
  private streams = new Map<number, RawStream & { inFlight: number }>();
  private pendingOpen = new Map<number, (p: Packet) => void>();
  private nextId = 1;
  private cnxn: ((p: Packet) => void) | null = null;
  banner = "";
  deviceMaxData = 0;
  /** Delay before we OKAY a WRTE (to look at flow control). */
  okayDelayMs = 0;
  closedSocket = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      for (const p of this.reader.push(chunk)) this.onPacket(p);
    });
    socket.on("close", () => {
      this.closedSocket = true;
      for (const s of this.streams.values()) s.closed = true;
    });
    socket.on("error", () => undefined);
  }

  static async connect(port: number, maxData = 1024 * 1024): Promise<RawHost> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = tcpConnect(port, "127.0.0.1", () => resolve(s));
      s.once("error", reject);
    });
    const h = new RawHost(socket);
    const p = await new Promise<Packet>((resolve) => {
      h.cnxn = resolve;
      h.send(A_CNXN, A_VERSION, maxData, Buffer.from("host::features=shell_v2,cmd,stat_v2,ls_v2"));
    });
    h.banner = p.payload.toString("utf8");
    h.deviceMaxData = p.arg1;
    return h;
  }

  send(cmd: number, a0: number, a1: number, payload?: Uint8Array): void {
    this.socket.write(encodePacket(cmd, a0, a1, payload, true));
  }

  private onPacket(p: Packet): void {
    if (p.command === A_CNXN) {
      this.cnxn?.(p);
      return;
    }
    const s = this.streams.get(p.arg1);
    switch (p.command) {
      case A_OKAY: {
        const pending = this.pendingOpen.get(p.arg1);
        if (pending) {
          this.pendingOpen.delete(p.arg1);
          pending(p);
        }
        return;
      }
      case A_CLSE: {
        const pending = this.pendingOpen.get(p.arg1);
        if (pending) {
          this.pendingOpen.delete(p.arg1);
          pending(p);
        }
        if (s) s.closed = true;
        return;
      }
      case A_WRTE:
        if (!s) return;
        s.data.push(p.payload);
        s.maxWrite = Math.max(s.maxWrite, p.payload.length);
        s.inFlight++;
        s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
        setTimeout(() => {
          s.inFlight--;
          if (!s.closed) this.send(A_OKAY, s.localId, s.remoteId);
        }, this.okayDelayMs);
        return;
    }
  }

  /** Opens a stream; null if the phone refused it. */
  async open(service: string): Promise<RawStream | null> {
    const localId = this.nextId++;
    const host = this;
    const s = {
      localId,
      remoteId: 0,
      data: [] as Buffer[],
      closed: false,
      maxWrite: 0,
      maxInFlight: 0,
      inFlight: 0,
      text() {
        return Buffer.concat(this.data).toString("utf8");
      },
      write(d: Uint8Array | string) {
        host.send(A_WRTE, localId, this.remoteId, typeof d === "string" ? Buffer.from(d) : d);
      },
      close() {
        host.send(A_CLSE, localId, this.remoteId);
      },
      async waitClosed(timeoutMs = 10000) {
        await waitFor(() => this.closed, timeoutMs, `close of ${service}`);
      },
    };
    const p = await new Promise<Packet>((resolve) => {
      this.pendingOpen.set(localId, (packet) => {
        // Register at once: the phone's first WRTE may follow in the same chunk.
        if (packet.command === A_OKAY) {
          s.remoteId = packet.arg0;
          this.streams.set(localId, s);
        }
        resolve(packet);
      });
      this.send(A_OPEN, localId, 0, Buffer.from(`${service}\0`));
    });
    return p.command === A_OKAY ? s : null;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Splits shell v2 packets: stdout, stderr, exit code. */
export function parseShellV2(data: Buffer): { stdout: string; stderr: string; exit: number | null } {
  let off = 0;
  let stdout = "";
  let stderr = "";
  let exit: number | null = null;
  while (off + 5 <= data.length) {
    const id = data[off] as number;
    const len = data.readUInt32LE(off + 1);
    const body = data.subarray(off + 5, off + 5 + len);
    off += 5 + len;
    if (id === 1) stdout += body.toString("utf8");
    else if (id === 2) stderr += body.toString("utf8");
    else if (id === 3) exit = body[0] ?? null;
  }
  return { stdout, stderr, exit };
}

export function shellPacket(id: number, data: string | Uint8Array): Buffer {
  const b = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
  const h = Buffer.alloc(5);
  h[0] = id;
  h.writeUInt32LE(b.length, 1);
  return Buffer.concat([h, b]);
}

/** Attributes of every node in a `uiautomator dump`. */
export function dumpNodes(xml: string): Record<string, string>[] {
  return [...xml.matchAll(/<node ([^>]*?)\/?>/g)].map((m) => {
    const a: Record<string, string> = {};
    for (const x of (m[1] ?? "").matchAll(/([\w-]+)="([^"]*)"/g)) a[x[1] as string] = x[2] as string;
    return a;
  });
}

export function center(bounds: string): [number, number] {
  const m = /\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]/.exec(bounds);
  if (!m) throw new Error(`bad bounds ${bounds}`);
  return [Math.round((Number(m[1]) + Number(m[3])) / 2), Math.round((Number(m[2]) + Number(m[4])) / 2)];
}
