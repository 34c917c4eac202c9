// The service log on disk and in memory: the file is rotated by size with the count of files bounded, a
// write it cannot make never throws (and is said once), and the tail the API reads keeps the newest records.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileSink, formatLine, Logger, LogTail, logFile, teeSink } from "../../src/log.ts";
import { ManualClock } from "../../src/tasks/clock.ts";

const AT = Date.parse("2026-12-03T10:00:00.000Z");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "farm-log-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("the log goes to DATA_DIR/logs/farm.log, its folder made on the first line", () => {
  const file = logFile(join(dir, "data"));
  expect(file).toBe(join(dir, "data", "logs", "farm.log"));
  const log = new Logger(fileSink(file, { maxBytes: 1024 ** 2, maxFiles: 5 }), {
    clock: new ManualClock(AT),
  });
  log.child({ task: 3, phone: "DEMO001" }).info("started script=test_sleep");
  expect(readFileSync(file, "utf8")).toBe(
    "2026-12-03T10:00:00.000Z info  task 3 phone DEMO001: started script=test_sleep\n",
  );
});

test("rotated by size: at most maxFiles files of at most maxBytes each, the newest lines kept in order", () => {
  const file = join(dir, "logs", "farm.log");
  const clock = new ManualClock(AT);
  const log = new Logger(fileSink(file, { maxBytes: 300, maxFiles: 3 }), { clock });
  const written: string[] = [];
  for (let i = 0; i < 100; i++) {
    const message = `line ${String(i).padStart(3, "0")} of the farm`;
    written.push(formatLine({ time: clock.now(), level: "info", scope: {}, message }));
    log.info(message);
  }
  expect(readdirSync(join(dir, "logs")).sort()).toEqual(["farm.log", "farm.log.1", "farm.log.2"]);
  for (const name of readdirSync(join(dir, "logs"))) {
    expect(statSync(join(dir, "logs", name)).size).toBeLessThanOrEqual(300);
  }
  // oldest file first: farm.log.2, farm.log.1, farm.log
  const kept = ["farm.log.2", "farm.log.1", "farm.log"]
    .flatMap((name) => readFileSync(join(dir, "logs", name), "utf8").split("\n"))
    .filter(Boolean);
  expect(kept.length).toBeGreaterThan(5);
  expect(kept).toEqual(written.slice(-kept.length));
});

test("with one file kept, rotation starts the file again", () => {
  const file = join(dir, "farm.log");
  const log = new Logger(fileSink(file, { maxBytes: 200, maxFiles: 1 }), { clock: new ManualClock(AT) });
  for (let i = 0; i < 20; i++) log.info(`line ${i} of the farm, long enough to fill a file soon`);
  expect(readdirSync(dir)).toEqual(["farm.log"]);
  expect(statSync(file).size).toBeLessThanOrEqual(200);
  expect(readFileSync(file, "utf8")).toContain("line 19 of the farm");
});

test("a file it cannot write is said once and never throws; the other sinks go on", () => {
  // a plain file where the logs folder should be
  writeFileSync(join(dir, "logs"), "not a folder");
  const errors: unknown[] = [];
  const tail = new LogTail();
  const sink = teeSink(
    fileSink(join(dir, "logs", "farm.log"), { maxBytes: 1024, maxFiles: 2, onError: (e) => errors.push(e) }),
    tail,
  );
  const log = new Logger(sink, { clock: new ManualClock(AT) });
  log.warn("one");
  log.warn("two");
  expect(errors).toHaveLength(1);
  expect(tail.read({}).map((r) => r.message)).toEqual(["one", "two"]);
  expect(existsSync(join(dir, "logs", "farm.log"))).toBe(false);
});

test("the tail keeps the newest records, read by time, level and count, oldest first", () => {
  const clock = new ManualClock(AT);
  const tail = new LogTail(4);
  const log = new Logger(tail, { clock, level: "debug" });
  for (const level of ["debug", "info", "warn", "error", "info", "warn"] as const) {
    log[level](`${level} at ${clock.now() - AT}`);
    clock.advance(1000);
  }
  // capacity 4: the first two are gone
  expect(tail.read({}).map((r) => r.message)).toEqual([
    "warn at 2000",
    "error at 3000",
    "info at 4000",
    "warn at 5000",
  ]);
  expect(tail.read({ level: "warn" }).map((r) => r.message)).toEqual([
    "warn at 2000",
    "error at 3000",
    "warn at 5000",
  ]);
  expect(tail.read({ since: AT + 4000 }).map((r) => r.message)).toEqual(["info at 4000", "warn at 5000"]);
  expect(tail.read({ limit: 1 }).map((r) => r.message)).toEqual(["warn at 5000"]);
});
