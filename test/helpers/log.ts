// A logger for tests that read what the service said: each record's words (scope and message) in a list.
import { Logger, words } from "../../src/log.ts";

export function loggerInto(lines: string[]): Logger {
  return new Logger({ write: (record) => lines.push(words(record)) });
}
