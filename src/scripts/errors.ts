// How a script says why it failed: the runner reads the class, never the message.
import type { ErrorClass } from "../domain.ts";

/** A failure a script understands: `retryable` ones may be tried again automatically, `permanent` never. */
export class ScriptError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
  ) {
    super(message);
  }

  static permanent(message: string): ScriptError {
    return new ScriptError(message, "permanent");
  }

  static retryable(message: string): ScriptError {
    return new ScriptError(message, "retryable");
  }
}
