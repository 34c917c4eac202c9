// Screenshots as pixels, without native code: PNG decoded, scaled down with an area average (text stays
// readable as grey rather than dropping strokes), and encoded again as PNG.
import { crc32, deflateSync } from "node:zlib";

/** Pixels with 3 (RGB) or 4 (RGBA) bytes each, row after row. */
export interface Pixels {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(buf: Uint8Array): boolean {
  return buf.length >= 8 && PNG_SIGNATURE.every((b, i) => buf[i] === b);
}

/** A PNG of 8-bit RGB or RGBA, not interlaced (what `screencap -p` writes); null for any other kind. */
export function decodePng(png: Uint8Array): Pixels | null {
  if (!isPng(png)) return null;
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let width = 0;
  let height = 0;
  let channels: 3 | 4 = 4;
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= png.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) return null;
      channels = colour === 2 ? 3 : 4;
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  if (!width || !height || idat.length === 0) return null;
  // the zlib stream's 2-byte header and 4-byte checksum around raw deflate: Bun's inflate (libdeflate) is
  // several times faster than node:zlib's here
  const stream = Buffer.concat(idat);
  const filtered = Bun.inflateSync(stream.subarray(2, stream.length - 4));
  const stride = width * channels;
  if (filtered.length < (stride + 1) * height) return null;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) unfilterRow(filtered, y, stride, channels, data);
  return { width, height, channels, data };
}

/** Undoes one row's PNG filter (None, Sub, Up, Average, Paeth) into `out`: a loop per filter, as this is hot. */
function unfilterRow(src: Uint8Array, y: number, stride: number, bpp: number, out: Uint8Array): void {
  const filter = src[y * (stride + 1)];
  const from = y * (stride + 1) + 1;
  const row = y * stride;
  const prev = row - stride;
  const line = src.subarray(from, from + stride);
  if (filter === 0 || (filter === 2 && y === 0)) {
    out.set(line, row);
  } else if (filter === 1 || (filter === 4 && y === 0)) {
    // Paeth on the first row predicts from the left only
    out.set(line.subarray(0, bpp), row);
    for (let i = bpp; i < stride; i++)
      out[row + i] = ((line[i] as number) + (out[row + i - bpp] as number)) & 255;
  } else if (filter === 2) {
    for (let i = 0; i < stride; i++) out[row + i] = ((line[i] as number) + (out[prev + i] as number)) & 255;
  } else if (filter === 3) {
    for (let i = 0; i < stride; i++) {
      const left = i >= bpp ? (out[row + i - bpp] as number) : 0;
      const up = y > 0 ? (out[prev + i] as number) : 0;
      out[row + i] = ((line[i] as number) + ((left + up) >> 1)) & 255;
    }
  } else if (filter === 4) {
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? (out[row + i - bpp] as number) : 0;
      const b = out[prev + i] as number;
      const c = i >= bpp ? (out[prev + i - bpp] as number) : 0;
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - 2 * c);
      out[row + i] = ((line[i] as number) + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
    }
  }
}

/**
 * At most `maxWidth` wide, the aspect ratio kept (never enlarged): each pixel the average of the area it
 * covers. Always RGB.
 */
export function scaleDown(src: Pixels, maxWidth: number): Pixels {
  const width = Math.min(src.width, maxWidth);
  const height = Math.max(1, Math.round((src.height * width) / src.width));
  // the source columns and rows each target pixel covers: [edge[i], edge[i + 1])
  const edges = (from: number, to: number) =>
    Int32Array.from({ length: to + 1 }, (_, i) => Math.min(from, Math.round((i * from) / to)));
  const xs = edges(src.width, width);
  const ys = edges(src.height, height);
  const ch = src.channels;
  const sums = new Uint32Array(width * 3);
  const data = new Uint8Array(width * height * 3);
  for (let ty = 0; ty < height; ty++) {
    sums.fill(0);
    const y0 = ys[ty] as number;
    const y1 = Math.max(y0 + 1, ys[ty + 1] as number);
    for (let y = y0; y < y1; y++) {
      const row = y * src.width * ch;
      for (let tx = 0; tx < width; tx++) {
        const x1 = Math.max((xs[tx] as number) + 1, xs[tx + 1] as number);
        let r = 0;
        let g = 0;
        let b = 0;
        for (let o = row + (xs[tx] as number) * ch, end = row + x1 * ch; o < end; o += ch) {
          r += src.data[o] as number;
          g += src.data[o + 1] as number;
          b += src.data[o + 2] as number;
        }
        sums[tx * 3] = (sums[tx * 3] as number) + r;
        sums[tx * 3 + 1] = (sums[tx * 3 + 1] as number) + g;
        sums[tx * 3 + 2] = (sums[tx * 3 + 2] as number) + b;
      }
    }
    for (let tx = 0; tx < width; tx++) {
      const count = (y1 - y0) * (Math.max((xs[tx] as number) + 1, xs[tx + 1] as number) - (xs[tx] as number));
      const o = (ty * width + tx) * 3;
      data[o] = Math.round((sums[tx * 3] as number) / count);
      data[o + 1] = Math.round((sums[tx * 3 + 1] as number) / count);
      data[o + 2] = Math.round((sums[tx * 3 + 2] as number) / count);
    }
  }
  return { width, height, channels: 3, data };
}

/** An 8-bit RGB(A) PNG, rows unfiltered (screens are mostly flat: zlib at its fastest level does well). */
export function encodePng(p: Pixels): Uint8Array {
  const stride = p.width * p.channels;
  const rows = Buffer.alloc((stride + 1) * p.height);
  for (let y = 0; y < p.height; y++)
    rows.set(p.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return pngFile(p, rows, 1);
}

/** The PNG file around rows already filtered (each led by its filter byte), compressed at `level`. */
export function pngFile(size: Omit<Pixels, "data">, filteredRows: Uint8Array, level = 6): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size.width, 0);
  header.writeUInt32BE(size.height, 4);
  header[8] = 8; // bits per channel
  header[9] = size.channels === 3 ? 2 : 6; // RGB or RGBA
  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(filteredRows, { level })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type: string, body: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, "latin1");
  out.set(body, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}
