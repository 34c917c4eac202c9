/** Minimal PNG encoder (8-bit RGB, zlib) for screencap. */
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(buf: Uint8Array, crc = 0xffffffff): number {
  let c = crc;
  for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length, 0);
  const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((crc32(td) ^ 0xffffffff) >>> 0, 0);
  return Buffer.concat([len, td, crc]);
}

/** A canvas of RGB pixels. */
export class Canvas {
  readonly data: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 3);
  }

  fillRect(x1: number, y1: number, x2: number, y2: number, rgb: [number, number, number]): void {
    const ax = Math.max(0, Math.min(this.width, Math.round(x1)));
    const bx = Math.max(0, Math.min(this.width, Math.round(x2)));
    const ay = Math.max(0, Math.min(this.height, Math.round(y1)));
    const by = Math.max(0, Math.min(this.height, Math.round(y2)));
    if (bx <= ax || by <= ay) return;
    const row = Buffer.alloc((bx - ax) * 3);
    for (let i = 0; i < bx - ax; i++) {
      row[i * 3] = rgb[0];
      row[i * 3 + 1] = rgb[1];
      row[i * 3 + 2] = rgb[2];
    }
    for (let y = ay; y < by; y++) row.copy(this.data, (y * this.width + ax) * 3);
  }

  strokeRect(x1: number, y1: number, x2: number, y2: number, rgb: [number, number, number], w = 3): void {
    this.fillRect(x1, y1, x2, y1 + w, rgb);
    this.fillRect(x1, y2 - w, x2, y2, rgb);
    this.fillRect(x1, y1, x1 + w, y2, rgb);
    this.fillRect(x2 - w, y1, x2, y2, rgb);
  }

  /** Vertical gradient between two colours. */
  gradient(top: [number, number, number], bottom: [number, number, number]): void {
    for (let y = 0; y < this.height; y++) {
      const t = this.height > 1 ? y / (this.height - 1) : 0;
      const c: [number, number, number] = [
        Math.round(top[0] + (bottom[0] - top[0]) * t),
        Math.round(top[1] + (bottom[1] - top[1]) * t),
        Math.round(top[2] + (bottom[2] - top[2]) * t),
      ];
      this.fillRect(0, y, this.width, y + 1, c);
    }
  }

  /** RGBA bytes (for raw screencap and framebuffer:). */
  rgba(): Buffer {
    const out = Buffer.alloc(this.width * this.height * 4);
    for (let i = 0, j = 0; i < this.data.length; i += 3, j += 4) {
      out[j] = this.data[i] as number;
      out[j + 1] = this.data[i + 1] as number;
      out[j + 2] = this.data[i + 2] as number;
      out[j + 3] = 255;
    }
    return out;
  }

  png(): Buffer {
    const stride = this.width * 3;
    const raw = Buffer.alloc((stride + 1) * this.height);
    for (let y = 0; y < this.height; y++) {
      raw[y * (stride + 1)] = 0;
      this.data.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.width, 0);
    ihdr.writeUInt32BE(this.height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // colour type RGB
    ihdr[10] = 0;
    ihdr[11] = 0;
    ihdr[12] = 0;
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(raw, { level: 1 })),
      chunk("IEND", new Uint8Array(0)),
    ]);
  }
}
