// One data folder, one service. The lock is SQLite's own on farm.db (store/db.ts holds it in exclusive
// locking mode): every platform has it (LockFileEx on Windows, POSIX locks elsewhere), the OS drops it when
// the process dies, even on kill -9, and no file but farm.db itself can be deleted to get around it.
// Beside it, farm.pid names the holder for the message the next instance prints: information only.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const pidFile = (dataDir: string) => join(dataDir, "farm.pid");

/** Notes this process as the one holding the data folder's database. */
export function noteHolder(dataDir: string): void {
  writeFileSync(pidFile(dataDir), `${process.pid}\n`);
}

/** What an instance refused the data folder's database says. */
export function inUseMessage(dataDir: string): string {
  let holder = "";
  try {
    holder = readFileSync(pidFile(dataDir), "utf8").trim();
  } catch {}
  return (
    `another farm-tasks (PID ${holder || "unknown"}) is using the data folder ${dataDir}: ` +
    "stop it first, or give this one another --data-dir"
  );
}
