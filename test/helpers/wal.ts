// Commits counted from outside a database in WAL mode, where no connection of our own may go (a running
// service holds its database alone). Format: https://www.sqlite.org/fileformat2.html#walformat
import { closeSync, openSync, readSync } from "node:fs";

const HEADER = 32;
const FRAME_HEADER = 24;

/** The commits in `file`'s write-ahead log since it was opened here; `count()` moves with each new one. */
export function walCommits(dbFile: string) {
  const fd = openSync(`${dbFile}-wal`, "r");
  const header = Buffer.alloc(HEADER);
  const frame = Buffer.alloc(FRAME_HEADER);
  let salts = "";
  let frames = 0; // of the log's current round, already looked at
  let commits = 0;
  return {
    count(): number {
      readSync(fd, header, 0, HEADER, 0);
      const pageSize = header.readUInt32BE(8);
      // a checkpointed log starts over with new salts; frames of earlier rounds keep the old ones
      const current = header.subarray(16, 24).toString("hex");
      if (current !== salts) [salts, frames] = [current, 0];
      for (;;) {
        const at = HEADER + frames * (FRAME_HEADER + pageSize);
        if (readSync(fd, frame, 0, FRAME_HEADER, at) < FRAME_HEADER) break;
        if (frame.subarray(8, 16).toString("hex") !== salts) break;
        // a commit's last frame carries the database's size after it; the others, 0
        if (frame.readUInt32BE(4) !== 0) commits++;
        frames++;
      }
      return commits;
    },
    close: () => closeSync(fd),
  };
}
