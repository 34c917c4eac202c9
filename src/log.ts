// The service's own log (not a task's log, which is in the database): one record per event, with a level
// and a scope saying what it is about (a task, a phone). Where records go is a sink: the console, a file
// rotated by size, the in-memory tail the API serves.
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { LOG_LEVELS } from "./domain.ts";

/** A task's log levels, and below them the details an operator asks for only when looking into something. */
export const LEVELS = ["debug", ...LOG_LEVELS] as const;
export type Level = (typeof LEVELS)[number];

/** What a record is about; a child logger adds these fields to every record it writes. */
export interface LogScope {
  task?: number;
  phone?: string;
}

export interface LogRecord {
  /** ms since the epoch, from the logger's clock. */
  time: number;
  level: Level;
  scope: LogScope;
  message: string;
}

export interface Sink {
  write(record: LogRecord): void;
}

export interface LoggerOptions {
  /** Records below this level are dropped (default info). */
  level?: Level;
  clock?: { now(): number };
}

export class Logger {
  readonly #sink: Sink;
  readonly #options: LoggerOptions;
  readonly #scope: LogScope;
  readonly #lowest: number;

  constructor(sink: Sink, options: LoggerOptions = {}, scope: LogScope = {}) {
    this.#sink = sink;
    this.#options = options;
    this.#scope = scope;
    this.#lowest = LEVELS.indexOf(options.level ?? "info");
  }

  /** The same log, about something narrower: `scope`'s fields are added to this logger's. */
  child(scope: LogScope): Logger {
    return new Logger(this.#sink, this.#options, { ...this.#scope, ...scope });
  }

  debug(message: string): void {
    this.#write("debug", message);
  }

  info(message: string): void {
    this.#write("info", message);
  }

  warn(message: string): void {
    this.#write("warn", message);
  }

  error(message: string): void {
    this.#write("error", message);
  }

  #write(level: Level, message: string): void {
    if (LEVELS.indexOf(level) < this.#lowest) return;
    const time = (this.#options.clock ?? Date).now();
    this.#sink.write({ time, level, scope: this.#scope, message });
  }
}

/**
 * A record's words: its scope, then its message ("task 12: completed, …"). The scope leads as the line's
 * subject, the way the service's lines named their task or phone before they had a scope.
 */
export function words(record: LogRecord): string {
  const scope = Object.entries(record.scope)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => `${field} ${value}`)
    .join(" ");
  return scope ? `${scope}: ${record.message}` : record.message;
}

/** One line: ISO time, the level (padded, so that the words line up), the words. */
export function formatLine(record: LogRecord): string {
  return `${new Date(record.time).toISOString()} ${record.level.padEnd(5)} ${words(record)}`;
}

/** Standard error, one line per record: standard output stays free for what a command prints. */
export const consoleSink: Sink = { write: (record) => console.error(formatLine(record)) };

/** A logger that writes nothing, for parts whose caller wants no log. */
export const silentLogger = new Logger({ write() {} });

/** Every sink in turn: the console, the file, the tail the API reads. */
export function teeSink(...sinks: Sink[]): Sink {
  return {
    write(record) {
      for (const sink of sinks) sink.write(record);
    },
  };
}

/** The newest records in memory (at most `capacity`), for GET /api/v1/logs. */
export class LogTail implements Sink {
  readonly #records: LogRecord[] = [];

  constructor(private readonly capacity = 5000) {}

  write(record: LogRecord): void {
    this.#records.push(record);
    if (this.#records.length > this.capacity) this.#records.shift();
  }

  /** The newest `limit` records at or after `since` and at `level` or above, oldest first. */
  read({ since = 0, level = "debug", limit = 200 }: { since?: number; level?: Level; limit?: number }) {
    const lowest = LEVELS.indexOf(level);
    const kept = this.#records.filter((r) => r.time >= since && LEVELS.indexOf(r.level) >= lowest);
    return kept.slice(-limit);
  }
}

export interface FileSinkOptions {
  /** A file grows to at most this many bytes before it is rotated (farm.log → farm.log.1 → …). */
  maxBytes: number;
  /** Files kept, the current one included; the oldest is deleted. */
  maxFiles: number;
  /** Said once on the console when the file cannot be written (the service goes on without it). */
  onError?: (e: unknown) => void;
}

/** Where the service log is written: DATA_DIR/logs/farm.log. */
export const logFile = (dataDir: string): string => join(dataDir, "logs", "farm.log");

/**
 * One line per record in `file`, rotated by size (file.1 is the newest old one); at most maxFiles × maxBytes
 * on disk. Its folder is made on the first record. A write that fails (disk full, folder removed) is
 * dropped: the log never stops the service.
 */
export function fileSink(file: string, options: FileSinkOptions): Sink {
  const dir = dirname(file);
  let fd: number | null = null;
  let size = 0;
  let failed = false;
  const open = (): number => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const opened = openSync(file, "a", 0o600);
    size = fstatSync(opened).size;
    fd = opened;
    return opened;
  };
  const close = () => {
    try {
      if (fd !== null) closeSync(fd);
    } catch {
      // a descriptor already gone with its folder: nothing to close
    }
    fd = null;
  };
  // closed before renaming: Windows renames no open file
  const rotate = (): number => {
    close();
    rmSync(`${file}.${options.maxFiles - 1}`, { force: true });
    for (let n = options.maxFiles - 2; n >= 1; n--) {
      if (existsSync(`${file}.${n}`)) renameSync(`${file}.${n}`, `${file}.${n + 1}`);
    }
    if (options.maxFiles > 1) renameSync(file, `${file}.1`);
    else rmSync(file, { force: true });
    return open();
  };
  return {
    write(record) {
      const line = Buffer.from(`${formatLine(record)}\n`);
      try {
        let target = fd ?? open();
        if (size > 0 && size + line.length > options.maxBytes) target = rotate();
        size += writeSync(target, line);
        failed = false;
      } catch (e) {
        close();
        if (!failed) options.onError?.(e);
        failed = true;
      }
    },
  };
}
