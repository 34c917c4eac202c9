// The data folder holds the phones' accounts and passwords, keys and licenses: on Linux and macOS only its
// owner may read it. Windows has no mode bits (a folder in the user's profile is private by its ACL), so
// nothing is changed there.
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";

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
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // the folder alone closes everything in it; the database's files too, should the folder be opened again
  tighten(dataDir, 0o700);
  for (const file of ["farm.db", "farm.db-wal", "farm.db-shm"]) tighten(join(dataDir, file), 0o600);
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
