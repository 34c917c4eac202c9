// The data folder holds the phones' accounts and passwords, keys and licenses: on Linux and macOS only its
// owner may read it. Windows has no mode bits (a folder in the user's profile is private by its ACL), so
// nothing is changed there.
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

/**
 * Creates the data folder, or tightens an existing one: the folder 0700 and the database's files 0600, and
 * everything this process creates from now on owner-only (umask 077), whatever it is and wherever it goes.
 */
export function ensurePrivateDataDir(dataDir: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === "win32") {
    mkdirSync(dataDir, { recursive: true });
    return;
  }
  process.umask(0o077);
  const created = mkdirSync(dataDir, { recursive: true, mode: 0o700 }) !== undefined;
  // the folder alone closes everything in it; the database's files too, should the folder be opened again
  if (created || !sharedFolder(dataDir)) tighten(dataDir, 0o700);
  for (const file of ["farm.db", "farm.db-wal", "farm.db-shm"]) tighten(join(dataDir, file), 0o600);
}

/**
 * A folder others rely on reaching: a sticky one (/tmp), the user's home, a file system's root. `--data-dir`
 * pointed at one must not lock everyone else out of it; the files this process makes there are private still.
 */
function sharedFolder(dir: string): boolean {
  const path = resolve(dir);
  if (path === resolve(homedir()) || dirname(path) === path) return true;
  return (statSync(path).mode & 0o1000) !== 0;
}

function tighten(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // absent, or not ours to change (another user's folder we may write in): the new files are private still
    if (code !== "ENOENT" && code !== "EPERM") throw e;
  }
}
