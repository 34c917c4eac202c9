/** ADB transport packets: 24-byte little-endian header + payload. */

export const A_CNXN = 0x4e584e43;
export const A_AUTH = 0x48545541;
export const A_OPEN = 0x4e45504f;
export const A_OKAY = 0x59414b4f;
export const A_CLSE = 0x45534c43;
export const A_WRTE = 0x45545257;
export const A_SYNC = 0x434e5953;
export const A_STLS = 0x534c5453;

export const A_VERSION = 0x01000001;
export const A_VERSION_MIN = 0x01000000;
export const A_VERSION_SKIP_CHECKSUM = 0x01000001;

export const AUTH_TOKEN = 1;
export const AUTH_SIGNATURE = 2;
export const AUTH_RSAPUBLICKEY = 3;

export const HEADER_SIZE = 24;
/** A sanity bound for incoming payloads: the host never sends more than 1 MiB in practice. */
export const MAX_INCOMING_PAYLOAD = 16 * 1024 * 1024;

export interface Packet {
  command: number;
  arg0: number;
  arg1: number;
  payload: Buffer;
}

export function commandName(command: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(command >>> 0, 0);
  return b.toString("latin1");
}

export function checksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] as number;
  return sum >>> 0;
}

export function encodePacket(
  command: number,
  arg0: number,
  arg1: number,
  payload?: Uint8Array,
  withChecksum = false,
): Buffer {
  const len = payload ? payload.length : 0;
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32LE(command >>> 0, 0);
  header.writeUInt32LE(arg0 >>> 0, 4);
  header.writeUInt32LE(arg1 >>> 0, 8);
  header.writeUInt32LE(len, 12);
  header.writeUInt32LE(withChecksum && payload ? checksum(payload) : 0, 16);
  header.writeUInt32LE((command ^ 0xffffffff) >>> 0, 20);
  if (!payload || len === 0) return header;
  return Buffer.concat([header, payload]);
}

/** Accumulates socket chunks and yields whole packets. */
export class PacketReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private header: { command: number; arg0: number; arg1: number; len: number } | null = null;

  push(chunk: Buffer): Packet[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const out: Packet[] = [];
    for (;;) {
      if (!this.header) {
        if (this.length < HEADER_SIZE) break;
        const h = this.take(HEADER_SIZE);
        const command = h.readUInt32LE(0);
        const magic = h.readUInt32LE(20);
        if ((command ^ 0xffffffff) >>> 0 !== magic)
          throw new Error(`bad packet magic for ${commandName(command)}`);
        const len = h.readUInt32LE(12);
        if (len > MAX_INCOMING_PAYLOAD) throw new Error(`payload too large: ${len}`);
        this.header = { command, arg0: h.readUInt32LE(4), arg1: h.readUInt32LE(8), len };
      }
      if (this.length < this.header.len) break;
      const payload = this.header.len > 0 ? this.take(this.header.len) : Buffer.alloc(0);
      out.push({ command: this.header.command, arg0: this.header.arg0, arg1: this.header.arg1, payload });
      this.header = null;
    }
    return out;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) {
      const res = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.length -= n;
      return res;
    }
    const res = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0] as Buffer;
      const k = Math.min(c.length, n - off);
      c.copy(res, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.length -= n;
    return res;
  }
}
