/** The one helper every phone verb goes through: caller aborts, timeouts and disconnection, as PhoneErrors. */
import { PhoneError } from "./errors.ts";

export interface VerbOptions {
  /** Aborting rejects the verb promptly and closes the remote process/stream. */
  signal?: AbortSignal;
  /** Give up after this many milliseconds (the verb's default when omitted; 0 = no limit). */
  timeoutMs?: number;
}

export interface VerbContext {
  /** Fires on caller abort, timeout or disconnection: close remote streams when it does. */
  signal: AbortSignal;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}` : s.toFixed(1);
}

/**
 * Runs `work` for `verb` on phone `serial`, rejecting promptly when the caller aborts, the timeout
 * passes or the phone disconnects (`gone` fires); `work` gets a signal that fires in all three cases so it can kill
 * the remote process. Errors thrown by `work` itself pass through unchanged.
 */
export async function runVerb<T>(
  verb: string,
  serial: string,
  options: VerbOptions | undefined,
  defaultTimeoutMs: number,
  gone: AbortSignal,
  work: (ctx: VerbContext) => Promise<T>,
): Promise<T> {
  const callerSignal = options?.signal;
  if (gone.aborted) throw new PhoneError("offline", verb, serial, `${serial} is offline (${verb})`);
  if (callerSignal?.aborted) {
    throw new PhoneError("aborted", verb, serial, `${verb} aborted on ${serial}`, {
      cause: callerSignal.reason,
    });
  }
  const timeoutMs = options?.timeoutMs ?? defaultTimeoutMs;
  const inner = new AbortController();
  let rejectOuter!: (e: unknown) => void;
  const stopped = new Promise<never>((_, reject) => {
    rejectOuter = reject;
  });
  stopped.catch(() => {});
  const stop = (error: PhoneError) => {
    rejectOuter(error);
    inner.abort(error);
  };
  const onAbort = () =>
    stop(
      new PhoneError("aborted", verb, serial, `${verb} aborted on ${serial}`, {
        cause: callerSignal?.reason,
      }),
    );
  callerSignal?.addEventListener("abort", onAbort, { once: true });
  const timer =
    timeoutMs > 0
      ? setTimeout(
          () =>
            stop(
              new PhoneError(
                "timeout",
                verb,
                serial,
                `${verb} timed out after ${seconds(timeoutMs)} s on ${serial}`,
              ),
            ),
          timeoutMs,
        )
      : undefined;
  const offline = () =>
    stop(new PhoneError("offline", verb, serial, `${serial} went offline during ${verb}`));
  gone.addEventListener("abort", offline, { once: true });
  try {
    const running = work({ signal: inner.signal });
    // If we stop first, `running` may still reject later: keep that from surfacing as unhandled.
    running.catch(() => {});
    return await Promise.race([running, stopped]);
  } finally {
    if (timer) clearTimeout(timer);
    callerSignal?.removeEventListener("abort", onAbort);
    gone.removeEventListener("abort", offline);
  }
}
