/** The phone's file system: a real folder on disk. Device paths map to paths under `root`. */
import { mkdirSync } from "node:fs";
import { join, posix } from "node:path";

const SDCARD_ALIASES = [
  "/sdcard",
  "/storage/emulated/0",
  "/storage/self/primary",
  "/mnt/sdcard",
  "/mnt/user/0/primary",
];

export const DEFAULT_DIRS = [
  "sdcard/DCIM/Camera",
  "sdcard/Download",
  "sdcard/Pictures",
  "sdcard/Movies",
  "sdcard/Music",
  "sdcard/Documents",
  "sdcard/Android/data",
  "sdcard/Android/media",
  "data/local/tmp",
  "system/bin",
  "system/app",
  "vendor",
  "proc",
  "dev",
  "cache",
  "acct",
  "config",
  "mnt",
  "odm",
  "oem",
  "product",
  "storage/emulated",
];

export class PhoneFs {
  constructor(readonly root: string) {}

  init(): void {
    for (const d of DEFAULT_DIRS) mkdirSync(join(this.root, d), { recursive: true });
  }

  /** Normalizes a device path (relative paths against cwd) to an absolute device path. */
  normalize(path: string, cwd = "/"): string {
    let p = path.startsWith("/") ? path : posix.join(cwd, path);
    p = posix.normalize(p);
    if (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
    return p;
  }

  /** Canonical device path: the sdcard aliases become /sdcard. */
  canonical(path: string, cwd = "/"): string {
    const p = this.normalize(path, cwd);
    for (const a of SDCARD_ALIASES) {
      if (p === a) return "/sdcard";
      if (p.startsWith(`${a}/`)) return `/sdcard${p.slice(a.length)}`;
    }
    return p;
  }

  /** Host path for a device path. */
  host(path: string, cwd = "/"): string {
    const c = this.canonical(path, cwd);
    if (c === "/storage") return join(this.root, "storage");
    return join(this.root, c);
  }

  /** The path an app would see, e.g. /storage/emulated/0/DCIM/x.mp4. */
  storagePath(path: string): string {
    const c = this.canonical(path);
    if (c === "/sdcard") return "/storage/emulated/0";
    if (c.startsWith("/sdcard/")) return `/storage/emulated/0${c.slice(7)}`;
    return c;
  }
}
