// One data folder, one service: an OS lock (flock) on DATA_DIR/farm.lock. The kernel drops it when the
// process dies, even on kill -9, so there is no stale lock to take over and no PID-reuse race.
import { dlopen, FFIType } from "bun:ffi";
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";

const LOCK_EX = 2;
const LOCK_NB = 4;

function libc() {
  const name = process.platform === "darwin" ? "libSystem.B.dylib" : "libc.so.6";
  return dlopen(name, { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } }).symbols;
}

export class DataDirLocked extends Error {
  constructor(
    readonly lockFile: string,
    readonly holder: string,
  ) {
    super(
      `another farm-tasks (PID ${holder || "unknown"}) is using the data folder ${lockFile.replace(/\/farm\.lock$/, "")}: ` +
        "stop it first, or give this one another --data-dir",
    );
  }
}

/** Takes the data folder's lock for the life of the process; returns its release. Throws DataDirLocked. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, "farm.lock");
  const fd = openSync(file, "a+");
  if (libc().flock(fd, LOCK_EX | LOCK_NB) !== 0) {
    closeSync(fd);
    let holder = "";
    try {
      holder = readFileSync(file, "utf8").trim();
    } catch {}
    throw new DataDirLocked(file, holder);
  }
  // the holder's PID, for the message the next instance prints (the lock itself is the flock)
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`);
  return () => closeSync(fd);
}
