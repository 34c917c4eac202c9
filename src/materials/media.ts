// Which files can be posted: mp4 and mov videos, jpg/jpeg, png and webp images. The extension says what a
// file claims to be, its first bytes say what it is; both must agree, so a renamed text file or a PNG
// called .jpg is refused before a phone ever sees it.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { extname } from "node:path";

export const FORMATS = ["mp4", "mov", "jpg", "jpeg", "png", "webp"] as const;
export type Format = (typeof FORMATS)[number];
export type Kind = "video" | "image";

export const KIND_OF: Record<Format, Kind> = {
  mp4: "video",
  mov: "video",
  jpg: "image",
  jpeg: "image",
  png: "image",
  webp: "image",
};

export const FORMATS_OF: Record<Kind, Format[]> = {
  video: FORMATS.filter((f) => KIND_OF[f] === "video"),
  image: FORMATS.filter((f) => KIND_OF[f] === "image"),
};

/** The Content-Type of each format: what a file download says, and what an app's share intent names. */
export const MIME_OF: Record<Format, string> = {
  mp4: "video/mp4",
  mov: "video/quicktime",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

/** Bytes enough to recognise every format above. */
export const HEAD_BYTES = 16;

/** What the content is, by its magic bytes: the families of FORMATS, or null. */
type Content = "isobmff" | "jpeg" | "png" | "webp";

const CONTENT_NAME: Record<Content, string> = {
  isobmff: "an MP4/MOV video",
  jpeg: "a JPEG image",
  png: "a PNG image",
  webp: "a WebP image",
};

const CONTENT_OF: Record<Format, Content> = {
  mp4: "isobmff",
  mov: "isobmff",
  jpg: "jpeg",
  jpeg: "jpeg",
  png: "png",
  webp: "webp",
};

const ascii = (head: Uint8Array, from: number, to: number) => String.fromCharCode(...head.subarray(from, to));

// QuickTime files from older cameras may open with one of these atoms instead of "ftyp"
const QUICKTIME_ATOMS = new Set(["ftyp", "moov", "mdat", "wide", "free", "skip", "pnot"]);

export function sniff(head: Uint8Array): Content | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head.length >= 8 && ascii(head, 0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (head.length >= 12 && ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "webp";
  if (head.length >= 8 && QUICKTIME_ATOMS.has(ascii(head, 4, 8))) return "isobmff";
  return null;
}

export function formatOfName(name: string): Format | null {
  const ext = extname(name).slice(1).toLowerCase();
  return (FORMATS as readonly string[]).includes(ext) ? (ext as Format) : null;
}

/** Why `head` is not the content `format` promises, or null when it is. */
export function contentMismatch(name: string, format: Format, head: Uint8Array): string | null {
  const found = sniff(head);
  if (found === CONTENT_OF[format]) return null;
  const what = found ? `it is ${CONTENT_NAME[found]}` : "its content is not a video or image we know";
  return `"${name}" is not a ${format.toUpperCase()} file: ${what}`;
}

export function readHead(path: string): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(HEAD_BYTES);
    const n = readSync(fd, head, 0, HEAD_BYTES, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export interface MediaFile {
  path: string;
  format: Format;
  kind: Kind;
  size: number;
}

export type MediaCheck = { ok: true; file: MediaFile } | { ok: false; reason: string };

const list = (formats: readonly string[]) => formats.join(", ");

/**
 * A file on this PC that can be posted as `want` (or as either kind): it exists, its extension is one
 * we post, and its bytes agree.
 */
export function checkMediaFile(path: string, want?: Kind): MediaCheck {
  const format = formatOfName(path);
  const allowed = want ? FORMATS_OF[want] : FORMATS;
  if (!format || !allowed.includes(format)) {
    return { ok: false, reason: `"${path}" is not a supported ${want ?? "file"} (${list(allowed)})` };
  }
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { ok: false, reason: `"${path}" is not a file` };
    size = stat.size;
  } catch {
    return { ok: false, reason: `"${path}" does not exist on this PC` };
  }
  let head: Uint8Array;
  try {
    head = readHead(path);
  } catch (e) {
    return { ok: false, reason: `"${path}" cannot be read: ${(e as Error).message}` };
  }
  const mismatch = contentMismatch(path, format, head);
  if (mismatch) return { ok: false, reason: mismatch };
  return { ok: true, file: { path, format, kind: KIND_OF[format], size } };
}
