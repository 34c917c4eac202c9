// A backup taken while the service runs (no other program may open farm.db then): SQLite's VACUUM INTO
// writes a consistent copy from the service's own connection, WAL included, and the key file its secrets
// are sealed with is copied beside it, since the one is useless without the other.
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Db } from "./db.ts";

export interface Backup {
  /** The database copy, and the key file it needs. */
  file: string;
  key_file: string;
  bytes: number;
  taken_at: string;
}

/** Writes DATA_DIR/backups/farm-TIME.db and farm-TIME.secret.key; `at` (ms since the epoch) names them. */
export function backUp(db: Db, dataDir: string, at: number): Backup {
  const dir = join(dataDir, "backups");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // a name every system takes (no ":"), sorting by time; VACUUM INTO overwrites nothing, so never a taken one
  const stamp = new Date(at).toISOString().replaceAll(":", "-");
  let name = `farm-${stamp}`;
  for (let n = 2; existsSync(join(dir, `${name}.db`)); n++) name = `farm-${stamp}-${n}`;
  const file = join(dir, `${name}.db`);
  const keyFile = join(dir, `${name}.secret.key`);
  db.$client.run("VACUUM INTO ?", [file]);
  copyFileSync(join(dataDir, "secret.key"), keyFile);
  return { file, key_file: keyFile, bytes: statSync(file).size, taken_at: new Date(at).toISOString() };
}
