// The service's logger: levels below the chosen one are dropped, a child adds its scope, a sink gets the
// records as data, and the console prints one time-stamped line per record.
import { expect, spyOn, test } from "bun:test";
import { consoleSink, formatLine, type Level, Logger, type LogRecord } from "../../src/log.ts";
import { ManualClock } from "../../src/tasks/clock.ts";

const AT = Date.parse("2026-12-03T10:00:00.000Z");

function kept(level?: Level) {
  const records: LogRecord[] = [];
  const log = new Logger({ write: (r) => records.push(r) }, { level, clock: new ManualClock(AT) });
  return { log, records };
}

test("a custom sink gets structured records, time stamped by the injected clock", () => {
  const { log, records } = kept();
  log.child({ task: 12, phone: "127.0.0.1:37001" }).warn("completed, but not saved yet");
  expect(records).toEqual([
    {
      time: AT,
      level: "warn",
      scope: { task: 12, phone: "127.0.0.1:37001" },
      message: "completed, but not saved yet",
    },
  ]);
});

test("records below the logger's level are dropped; info by default", () => {
  const byDefault = kept();
  for (const level of ["debug", "info", "warn", "error"] as const) byDefault.log[level](level);
  expect(byDefault.records.map((r) => r.message)).toEqual(["info", "warn", "error"]);

  const errorsOnly = kept("error");
  errorsOnly.log.warn("a warning");
  errorsOnly.log.child({ task: 1 }).error("an error");
  expect(errorsOnly.records.map((r) => r.message)).toEqual(["an error"]);

  const everything = kept("debug");
  everything.log.debug("a detail");
  expect(everything.records.map((r) => r.level)).toEqual(["debug"]);
});

test("a child adds its fields to its parent's, and leaves the parent as it was", () => {
  const { log, records } = kept();
  const task = log.child({ task: 7 });
  task.child({ phone: "DEMO001" }).info("on the phone");
  task.info("the task");
  log.info("the service");
  expect(records.map((r) => r.scope)).toEqual([{ task: 7, phone: "DEMO001" }, { task: 7 }, {}]);
});

test("the console line: ISO time, the level, the scope as the subject, the message", () => {
  const record = (scope: LogRecord["scope"], level: Level = "warn"): LogRecord => ({
    time: AT,
    level,
    scope,
    message: "stopped answering; reconnecting",
  });
  expect(formatLine(record({ task: 12, phone: "127.0.0.1:37001" }))).toBe(
    "2026-12-03T10:00:00.000Z warn  task 12 phone 127.0.0.1:37001: stopped answering; reconnecting",
  );
  expect(formatLine(record({}, "error"))).toBe(
    "2026-12-03T10:00:00.000Z error stopped answering; reconnecting",
  );

  const printed = spyOn(console, "error").mockImplementation(() => {});
  try {
    new Logger(consoleSink, { clock: new ManualClock(AT) }).child({ phone: "DEMO001" }).info("attached");
    expect(printed.mock.calls).toEqual([["2026-12-03T10:00:00.000Z info  phone DEMO001: attached"]]);
  } finally {
    printed.mockRestore();
  }
});
