/** The media store: what a media scan indexed (ids, names, mime types), as apps' pickers see it. */
import { existsSync, statSync } from "node:fs";
import type { PhoneFs } from "./fs.ts";

export type MediaKind = "video" | "images" | "audio" | "file";

export interface MediaEntry {
  id: number;
  /** Canonical device path, e.g. /storage/emulated/0/DCIM/Camera/x.mp4 */
  data: string;
  displayName: string;
  mimeType: string;
  kind: MediaKind;
  size: number;
  dateAdded: number;
  dateModified: number;
}

const MIME: Record<string, string> = {
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  "3gp": "video/3gpp",
  webm: "video/webm",
  mkv: "video/x-matroska",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  wav: "audio/x-wav",
  ogg: "audio/ogg",
};

export function mimeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return MIME[ext] ?? "application/octet-stream";
}

function kindOf(mime: string): MediaKind {
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("image/")) return "images";
  if (mime.startsWith("audio/")) return "audio";
  return "file";
}

export class MediaStore {
  private entries = new Map<number, MediaEntry>();
  private nextId = 1000;

  constructor(private readonly fs: PhoneFs) {}

  /** Indexes (or re-indexes) a file; a missing file is removed from the index. Returns the entry. */
  scan(path: string): MediaEntry | null {
    const data = this.fs.storagePath(path);
    const host = this.fs.host(path);
    const existing = this.byPath(data);
    if (!existsSync(host)) {
      if (existing) this.entries.delete(existing.id);
      return null;
    }
    const st = statSync(host);
    if (st.isDirectory()) {
      return null;
    }
    const name = data.slice(data.lastIndexOf("/") + 1);
    const mimeType = mimeOf(name);
    const now = Math.floor(Date.now() / 1000);
    const entry: MediaEntry = {
      id: existing?.id ?? this.nextId++,
      data,
      displayName: name,
      mimeType,
      kind: kindOf(mimeType),
      size: st.size,
      dateAdded: existing?.dateAdded ?? now,
      dateModified: Math.floor(st.mtimeMs / 1000),
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  byPath(data: string): MediaEntry | undefined {
    for (const e of this.entries.values()) if (e.data === data) return e;
    return undefined;
  }

  get(id: number): MediaEntry | undefined {
    return this.entries.get(id);
  }

  all(): MediaEntry[] {
    return [...this.entries.values()];
  }

  delete(id: number): boolean {
    return this.entries.delete(id);
  }

  /** What a gallery shows: indexed files still on disk, newest first. */
  gallery(filter?: (e: MediaEntry) => boolean): MediaEntry[] {
    return this.all()
      .filter((e) => existsSync(this.fs.host(e.data)) && (!filter || filter(e)))
      .sort((a, b) => b.dateModified - a.dateModified || b.dateAdded - a.dateAdded || b.id - a.id);
  }

  /** Resolves content://media/external/video/media/ID (and images/files). */
  fromUri(uri: string): MediaEntry | undefined {
    const m = /^content:\/\/media\/[a-z_0-9]+\/(video|images|audio|file|files)\/(?:media\/)?(\d+)$/.exec(uri);
    if (!m) return undefined;
    return this.get(Number(m[2]));
  }

  uriOf(e: MediaEntry): string {
    return `content://media/external_primary/${e.kind === "file" ? "file" : `${e.kind}/media`}/${e.id}`;
  }
}
