// POST /api/v1/backup: a consistent copy of farm.db, with the key file its secrets need, taken while the
// service runs (no other program can open farm.db then).
import { Type as T } from "@sinclair/typebox";
import { Elysia } from "elysia";
import type { Backup } from "../store/backup.ts";
import { doc, ok } from "./envelope.ts";

export function backupRoutes(backUp: () => Backup) {
  return new Elysia({ prefix: "/api/v1/backup" }).post("", () => ok(backUp()), {
    ...doc({
      summary: "Back up the database now",
      description:
        "Writes DATA_DIR/backups/farm-TIME.db (SQLite's VACUUM INTO: consistent, compacted, the write-ahead log " +
        "included) and copies DATA_DIR/secret.key beside it as farm-TIME.secret.key: the secrets in the copy are " +
        "sealed with that key, so keep the two together. Tasks go on meanwhile. Old backups are never deleted " +
        "by the service: move them off this PC. To restore, stop the service and put the two files back as " +
        "farm.db and secret.key (no farm.db-wal beside them).",
      tags: ["service"],
      data: T.Object({
        file: T.String({ description: "the copy of farm.db" }),
        key_file: T.String({ description: "the copy of secret.key it needs" }),
        bytes: T.Integer({ description: "the copy's size" }),
        taken_at: T.String({ format: "date-time" }),
      }),
      example: {
        file: "C:\\farm\\data\\backups\\farm-2026-12-03T10-15-00.412Z.db",
        key_file: "C:\\farm\\data\\backups\\farm-2026-12-03T10-15-00.412Z.secret.key",
        bytes: 1843200,
        taken_at: "2026-12-03T10:15:00.412Z",
      },
    }),
  });
}
