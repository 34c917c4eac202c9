// Screenshots as pixels, without native code: PNG decoded, scaled down by averaging the area each pixel
// covers (thin text strokes stay visible as grey), and encoded again as PNG. A 1080×2400 screen is 10 MB of
// pixels: decoding works in the one buffer inflate gives, and scaling samples each area on a grid.
import { crc32, deflateSync, inflateSync } from "node:zlib";

/** Pixels with 3 (RGB) or 4 (RGBA) bytes each; row y starts at `offset + y * pitch` in `data`. */
export interface Pixels {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
  pitch: number;
  offset: number;
}

/** Pixels packed row after row. */
export function packed(width: number, height: number, channels: 3 | 4, data: Uint8Array): Pixels {
  return { width, height, channels, data, pitch: width * channels, offset: 0 };
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
  const stride = width * channels;
  // inflated into one buffer of the size the header promises: in pieces (the default) or with a guess that
  // grows (Bun.inflateSync) it costs several times more
  const size = (stride + 1) * height;
  const rows = inflateSync(Buffer.concat(idat), { chunkSize: size + 1024 });
  if (rows.length < size) return null;
  // each row is its filter byte and then its bytes: unfiltered where it lies
  for (let y = 0; y < height; y++) unfilterRow(rows, y * (stride + 1), stride, channels, y > 0);
  return { width, height, channels, data: rows, pitch: stride + 1, offset: 1 };
}

/**
 * Undoes the PNG filter (None, Sub, Up, Average, Paeth) of the row at `at` (its filter byte), in place: the
 * row before it is already undone. A loop per filter, as this is hot.
 */
function unfilterRow(d: Uint8Array, at: number, stride: number, bpp: number, hasUp: boolean): void {
  const filter = d[at];
  const row = at + 1;
  const up = row - stride - 1;
  if (filter === 1 || (filter === 4 && !hasUp)) {
    // Paeth with no row above predicts from the left, as Sub does
    for (let i = bpp; i < stride; i++)
      d[row + i] = ((d[row + i] as number) + (d[row + i - bpp] as number)) & 255;
  } else if (filter === 2 && hasUp) {
    for (let i = 0; i < stride; i++) d[row + i] = ((d[row + i] as number) + (d[up + i] as number)) & 255;
  } else if (filter === 3) {
    for (let i = 0; i < stride; i++) {
      const left = i >= bpp ? (d[row + i - bpp] as number) : 0;
      const above = hasUp ? (d[up + i] as number) : 0;
      d[row + i] = ((d[row + i] as number) + ((left + above) >> 1)) & 255;
    }
  } else if (filter === 4) {
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? (d[row + i - bpp] as number) : 0;
      const b = d[up + i] as number;
      const c = i >= bpp ? (d[up + i - bpp] as number) : 0;
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - 2 * c);
      d[row + i] = ((d[row + i] as number) + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
    }
  }
}

/** Samples per axis of the area a scaled pixel covers: enough to catch a 2-pixel stroke at 1080 → 240. */
const SAMPLES = 3;

/** For each target pixel i, the source positions sampled: positions[starts[i]] up to positions[starts[i + 1]]. */
function samplesOf(from: number, to: number) {
  const starts = new Int32Array(to + 1);
  const positions: number[] = [];
  for (let i = 0; i < to; i++) {
    starts[i] = positions.length;
    const a = Math.floor((i * from) / to);
    const span = Math.max(1, Math.floor(((i + 1) * from) / to) - a);
    const n = Math.min(SAMPLES, span);
    for (let k = 0; k < n; k++) positions.push(a + Math.floor(((k + 0.5) * span) / n));
  }
  starts[to] = positions.length;
  return { starts, positions: Int32Array.from(positions) };
}

/**
 * At most `maxWidth` wide, the aspect ratio kept (never enlarged): each pixel the average of the area it
 * covers, sampled on a grid of up to 3×3. Always RGB, packed.
 */
export function scaleDown(src: Pixels, maxWidth: number): Pixels {
  const width = Math.min(src.width, maxWidth);
  const height = Math.max(1, Math.round((src.height * width) / src.width));
  const cols = samplesOf(src.width, width);
  const rows = samplesOf(src.height, height);
  const ch = src.channels;
  const sums = new Uint32Array(width * 3);
  const data = new Uint8Array(width * height * 3);
  for (let ty = 0; ty < height; ty++) {
    sums.fill(0);
    const r0 = rows.starts[ty] as number;
    const r1 = rows.starts[ty + 1] as number;
    for (let r = r0; r < r1; r++) {
      const line = src.offset + (rows.positions[r] as number) * src.pitch;
      for (let tx = 0; tx < width; tx++) {
        let red = 0;
        let green = 0;
        let blue = 0;
        for (let c = cols.starts[tx] as number, end = cols.starts[tx + 1] as number; c < end; c++) {
          const o = line + (cols.positions[c] as number) * ch;
          red += src.data[o] as number;
          green += src.data[o + 1] as number;
          blue += src.data[o + 2] as number;
        }
        sums[tx * 3] = (sums[tx * 3] as number) + red;
        sums[tx * 3 + 1] = (sums[tx * 3 + 1] as number) + green;
        sums[tx * 3 + 2] = (sums[tx * 3 + 2] as number) + blue;
      }
    }
    for (let tx = 0; tx < width; tx++) {
      const count = (r1 - r0) * ((cols.starts[tx + 1] as number) - (cols.starts[tx] as number));
      const o = (ty * width + tx) * 3;
      data[o] = Math.round((sums[tx * 3] as number) / count);
      data[o + 1] = Math.round((sums[tx * 3 + 1] as number) / count);
      data[o + 2] = Math.round((sums[tx * 3 + 2] as number) / count);
    }
  }
  return packed(width, height, 3, data);
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
export function pngFile(
  size: Pick<Pixels, "width" | "height" | "channels">,
  filteredRows: Uint8Array,
  level = 6,
): Uint8Array {
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
