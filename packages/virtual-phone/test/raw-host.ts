/** A raw ADB host, to look at the packets themselves, and shell v2 framing. */
import { type Socket, connect as tcpConnect } from "node:net";
import { waitFor } from "../../../test/helpers/wait.ts";
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
} from "../src/protocol.ts";

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
        await waitFor(`close of ${service}`, () => this.closed, timeoutMs);
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
