// How a script says why it failed: the runner reads the class, never the message.
import type { ErrorClass, FailureReason } from "../domain.ts";

/** A failure a script understands: `retryable` ones may be tried again automatically, `permanent` never. */
export class ScriptError extends Error {
  constructor(
    message: string,
    readonly errorClass: ErrorClass,
    /** The task's failure reason: a script's own failure, or a post that was not seen on the account. */
    readonly reason: Extract<FailureReason, "script" | "unconfirmed"> = "script",
  ) {
    super(message);
  }

  /** Post was tapped but the post was not seen on the account: it may be up; never retried automatically. */
  static unconfirmed(message: string): ScriptError {
    return new ScriptError(message, "permanent", "unconfirmed");
  }

  static permanent(message: string): ScriptError {
    return new ScriptError(message, "permanent");
  }

  static retryable(message: string): ScriptError {
    return new ScriptError(message, "retryable");
  }
}
