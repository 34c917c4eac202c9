// GET /api/v1/logs: the newest lines of the service log (task starts and ends, retries, phone states,
// webhook failures), from the tail kept in memory; the whole log is in DATA_DIR/logs/farm.log.
import { Type as T } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import { literalUnion } from "../domain.ts";
import { formatLine, LEVELS, type LogRecord, type LogTail } from "../log.ts";
import { AppError, Code, doc, named, ok } from "./envelope.ts";
import { WholeNumber } from "./params.ts";

const LogLineRef = named(
  "LogLine",
  T.Object({
    time: T.String({ format: "date-time" }),
    level: literalUnion(LEVELS),
    task: T.Optional(T.Integer({ description: "the task the line is about" })),
    phone: T.Optional(T.String({ description: "the phone the line is about" })),
    message: T.String(),
    line: T.String({ description: "the line as the console and the log file show it" }),
  }),
);

const LogsQuery = t.Object({
  since: t.Optional(
    t.String({
      minLength: 1,
      description: "only lines at or after this time: ISO 8601 (2026-12-03T10:00:00Z) or ms since the epoch",
    }),
  ),
  level: t.Optional(
    literalUnion(LEVELS, { description: "only lines at this level or above; default debug" }),
  ),
  limit: t.Optional(
    WholeNumber({ minimum: 1, maximum: 1000, default: 200, description: "the newest this many lines" }),
  ),
});

/** `since` as ms since the epoch: digits are ms, anything else must be a date-time Date can read. */
function sinceMs(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const ms = /^\d+$/.test(raw) ? Number(raw) : /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw AppError.invalid(`since: "${raw}" is not an ISO 8601 time or ms since the epoch`, [
      { path: "/query/since", message: "is not an ISO 8601 time or ms since the epoch" },
    ]);
  }
  return ms;
}

function lineView(record: LogRecord) {
  return {
    time: new Date(record.time).toISOString(),
    level: record.level,
    ...record.scope,
    message: record.message,
    line: formatLine(record),
  };
}

const EXAMPLE_LINE = {
  time: "2026-12-03T10:15:02.412Z",
  level: "warn",
  task: 12,
  phone: "R58N12ABCDE",
  message:
    'ended script=post account=@farm1.alpha outcome=failed duration_s=41.3 reason="phone went offline"',
  line: '2026-12-03T10:15:02.412Z warn  task 12 phone R58N12ABCDE: ended script=post account=@farm1.alpha outcome=failed duration_s=41.3 reason="phone went offline"',
};

/** `file`: where the whole log is, said in the answer so that a reader knows where to look further back. */
export function logRoutes(tail: LogTail, file: string) {
  return new Elysia({ prefix: "/api/v1/logs" }).get(
    "",
    ({ query }) =>
      ok({
        lines: tail
          .read({ since: sinceMs(query.since), level: query.level, limit: query.limit ?? 200 })
          .map(lineView),
        file,
      }),
    {
      query: LogsQuery,
      ...doc({
        summary: "The service log's newest lines",
        description:
          "One line per event: each task's start and end (id, phone, account, script, outcome, duration, reason), " +
          "retries (automatic and asked for), phone state changes, webhook failures, warnings and errors. Oldest " +
          "first; at most the newest 5000 lines since the service started are kept in memory. The whole log, " +
          "rotated by size (`--log-max-size`, `--log-max-files`), is in `file` (DATA_DIR/logs/farm.log); " +
          "`--log-level` sets the lowest level kept.",
        tags: ["service"],
        data: T.Object({
          lines: T.Array(LogLineRef),
          file: T.String({ description: "the log file on this PC" }),
        }),
        example: { lines: [EXAMPLE_LINE], file: "C:\\farm\\data\\logs\\farm.log" },
        errors: [Code.invalid],
      }),
    },
  );
}
