// Paths the operator types for files on this PC. Farm PCs are mostly Windows, so `C:/Videos/a.mp4`,
// `C:\Videos\a.mp4` and UNC `\\server\share\a.mp4` are ordinary input; each is normalised for the system
// the service runs on. A Windows path given to a service on Linux or macOS is "not found", said plainly.
import { posix, win32 } from "node:path";

export type PathFlavour = "win32" | "posix";

export const HOST_FLAVOUR: PathFlavour = process.platform === "win32" ? "win32" : "posix";

export const pathApi = (flavour: PathFlavour) => (flavour === "win32" ? win32 : posix);

const SYSTEM_NAMES: Partial<Record<NodeJS.Platform, string>> = {
  linux: "Linux",
  darwin: "macOS",
  win32: "Windows",
};

const systemName = () => SYSTEM_NAMES[process.platform] ?? process.platform;

const DRIVE = /^[A-Za-z]:[\\/]/;
const UNC = /^[\\/]{2}[^\\/]+[\\/][^\\/]+/;

/** `C:\…`, `C:/…` or `\\server\share\…` (a UNC path written with slashes counts only on Windows). */
export function isWindowsForm(path: string): boolean {
  return DRIVE.test(path) || /^\\\\[^\\/]+\\/.test(path);
}

export type LocalPath = { ok: true; path: string } | { ok: false; reason: string };

/** What the operator typed → the absolute path on this PC in its own form, or why it cannot be one. */
export function toLocalPath(raw: string, flavour: PathFlavour = HOST_FLAVOUR): LocalPath {
  const typed = unquote(raw);
  if (!typed) return { ok: false, reason: "the path is empty" };
  if (typed.includes("\0")) return { ok: false, reason: `"${typed}" contains a NUL character` };
  if (flavour === "win32") {
    if (!DRIVE.test(typed) && !UNC.test(typed)) {
      return {
        ok: false,
        reason: `"${typed}" is not an absolute path (give a drive, C:\\Videos\\a.mp4, or a share, \\\\server\\share\\a.mp4)`,
      };
    }
    return { ok: true, path: win32.normalize(typed) };
  }
  if (isWindowsForm(typed)) {
    return {
      ok: false,
      reason: `"${typed}" not found: it is a Windows path and this service runs on ${systemName()}`,
    };
  }
  if (!posix.isAbsolute(typed)) {
    return { ok: false, reason: `"${typed}" is not an absolute path (give the full path, /home/farm/a.mp4)` };
  }
  return { ok: true, path: posix.normalize(typed) };
}

// Windows Explorer's "Copy as path" wraps the path in double quotes
const unquote = (raw: string) => raw.trim().replace(/^"(.*)"$/, "$1");

/**
 * Like `toLocalPath`, but a relative path is taken inside `base` (a folder of the service's, e.g. the data
 * folder's `upload/`) and must stay inside it (`../materials/x.png` is refused); `base` null: a relative path
 * is refused, saying why. An absolute path may name any file on this PC, as before.
 */
export function toLocalPathIn(
  raw: string,
  base: string | null,
  flavour: PathFlavour = HOST_FLAVOUR,
): LocalPath {
  const typed = unquote(raw);
  const api = pathApi(flavour);
  // a drive-relative C:a.mp4 is no path inside `base`: toLocalPath refuses it, saying what to give
  if (!typed || api.isAbsolute(typed) || isWindowsForm(typed) || /^[A-Za-z]:/.test(typed)) {
    return toLocalPath(raw, flavour);
  }
  if (!base)
    return { ok: false, reason: `"${typed}" is a relative path and the service's data folder is not known` };
  const inside = api.join(base, typed);
  const rest = api.relative(base, inside);
  // `..` as the first part, or another drive (relative is then absolute): the path left `base`
  if (rest === ".." || rest.startsWith(`..${api.sep}`) || api.isAbsolute(rest)) {
    return {
      ok: false,
      reason: `"${typed}" leaves the folder it is relative to (${base}): give a path inside it, or an absolute path`,
    };
  }
  return toLocalPath(inside, flavour);
}

/** The last part of a path in either form: uploads arrive named by browsers on any system. */
export function baseName(path: string): string {
  return win32.basename(path);
}
