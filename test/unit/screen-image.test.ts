// Screenshots decoded, scaled and encoded without native code: every PNG row filter, area averaging.
import { expect, test } from "bun:test";
import {
  decodePng,
  encodePng,
  type Pixels,
  packed,
  pngFile,
  scaleDown,
} from "../../src/devices/screen-image.ts";

/** A small RGBA picture with gradients and edges, so that every filter predicts something. */
function picture(width: number, height: number): Pixels {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data.set([(x * 37) & 255, (y * 91) & 255, x > y ? 250 : 3, 255 - ((x * y) & 255)], o);
    }
  return packed(width, height, 4, data);
}

/** The picture's rows, packed, with its size: what two decodings must agree on. */
function pixelsOf(p: Pixels | null) {
  if (!p) return null;
  const stride = p.width * p.channels;
  const data = new Uint8Array(stride * p.height);
  for (let y = 0; y < p.height; y++)
    data.set(p.data.subarray(p.offset + y * p.pitch, p.offset + y * p.pitch + stride), y * stride);
  return { width: p.width, height: p.height, channels: p.channels, data };
}

/** A PNG whose row y uses filter y % 5, filtered as the PNG specification says. */
function pngWithEveryFilter(p: Pixels): Uint8Array {
  const bpp = p.channels;
  const stride = p.width * bpp;
  const rows = new Uint8Array((stride + 1) * p.height);
  const at = (y: number, i: number) => (y < 0 || i < 0 ? 0 : (p.data[y * stride + i] as number));
  for (let y = 0; y < p.height; y++) {
    const filter = y % 5;
    rows[y * (stride + 1)] = filter;
    for (let i = 0; i < stride; i++) {
      const x = at(y, i);
      const a = at(y, i - bpp);
      const b = at(y - 1, i);
      const c = at(y - 1, i - bpp);
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - 2 * c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter] as number;
      rows[y * (stride + 1) + 1 + i] = (x - predicted) & 255;
    }
  }
  return pngFile(p, rows);
}

test("a PNG using every row filter decodes to its pixels", () => {
  const p = picture(13, 11);
  expect(pixelsOf(decodePng(pngWithEveryFilter(p)))).toEqual(pixelsOf(p));
});

test("what the service encodes decodes to the same pixels", () => {
  const p = picture(7, 5);
  expect(pixelsOf(decodePng(encodePng(p)))).toEqual(pixelsOf(p));
  expect(decodePng(new Uint8Array([1, 2, 3]))).toBeNull();
});

test("scaled down by area averages, the aspect ratio kept, never enlarged", () => {
  // 4×2 pixels: a black and a white column pair → 2×1 of grey, each the mean of its 2×2 square
  const data = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++)
    for (let x = 0; x < 4; x++) data.fill(x % 2 ? 255 : 0, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
  const half = scaleDown(packed(4, 2, 3, data), 2);
  expect(half).toEqual(packed(2, 1, 3, new Uint8Array([128, 128, 128, 128, 128, 128])));
  const big = picture(1080, 2400);
  const thumb = scaleDown(big, 240);
  expect([thumb.width, thumb.height, thumb.channels]).toEqual([240, 533, 3]);
  expect(scaleDown(picture(100, 50), 240).width).toBe(100);
  // a 2-pixel dark stroke on white, as text is, still shows in the thumbnail
  const page = new Uint8Array(1080 * 24 * 3).fill(255);
  for (let y = 0; y < 24; y++) page.fill(0, (y * 1080 + 540) * 3, (y * 1080 + 542) * 3);
  const small = scaleDown(packed(1080, 24, 3, page), 240);
  const darkest = Math.min(...Array.from({ length: 240 }, (_, x) => small.data[x * 3] as number));
  expect(darkest).toBeLessThan(200);
});
