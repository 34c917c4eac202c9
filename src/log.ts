// The service's own log (not a task's log, which is in the database): one record per event, with a level
// and a scope saying what it is about (a task, a phone). Where records go is a sink: the console here.
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
