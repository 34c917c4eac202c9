// Small real media files: the first bytes of each format, enough for the magic-byte check.
import { writeFileSync } from "node:fs";

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

export const HEADS = {
  mp4: bytes([0, 0, 0, 0x18], "ftypisom", [0, 0, 2, 0], "isomiso2mp41"),
  mov: bytes([0, 0, 0, 0x14], "ftypqt  ", [0, 0, 0, 0], "qt  "),
  jpg: bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF", [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
  png: bytes([0x89], "PNG\r\n\x1a\n", [0, 0, 0, 0x0d], "IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]),
  webp: bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 ", [0x18, 0, 0, 0]),
} as const;

/** Writes a file of `format` (its real first bytes, then filler) and returns its path. */
export function writeMedia(path: string, format: keyof typeof HEADS, size = 256): string {
  const head = HEADS[format];
  writeFileSync(path, Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 7)]));
  return path;
}
