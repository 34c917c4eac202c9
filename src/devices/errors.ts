/** Errors a phone verb can end with. */

export type PhoneErrorCode = "aborted" | "timeout" | "offline" | "failed";

export class PhoneError extends Error {
  readonly code: PhoneErrorCode;
  readonly verb: string;
  readonly serial: string;

  constructor(code: PhoneErrorCode, verb: string, serial: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.verb = verb;
    this.serial = serial;
    this.name = code === "aborted" ? "AbortError" : code === "timeout" ? "TimeoutError" : "PhoneError";
  }
}

/**
 * `uiautomator dump` said "ERROR: could not get idle state." (the screen would not settle, as on a feed that
 * plays video): nothing is wrong, the screen is to be read again later.
 */
export class ScreenNotIdle extends PhoneError {
  constructor(verb: string, serial: string, message: string) {
    super("failed", verb, serial, message);
    this.name = "ScreenNotIdle";
  }
}

/** A network phone could not be reached when asked to attach it; nothing was attached. */
export class ConnectError extends Error {
  readonly address: string;
  readonly reason: string;

  constructor(address: string, reason: string) {
    super(`cannot connect to ${address}: ${reason}`);
    this.address = address;
    this.reason = reason;
    this.name = "ConnectError";
  }
}

const SOCKET_REASONS: Record<string, string> = {
  ECONNREFUSED:
    "connection refused (nothing listens on that port: is wireless debugging on, and the port right?)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "no answer (timed out)",
  ENOTFOUND: "unknown host name",
  EAI_AGAIN: "host name lookup failed",
};

/** A failed connection (socket error, or the adb server's "failed to connect to 'A': Reason") as a short reason. */
export function connectReason(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && SOCKET_REASONS[code]) return SOCKET_REASONS[code];
  const message = error instanceof Error ? error.message : String(error);
  const adb = /failed to connect to '[^']*':\s*(.+)$/i.exec(message.trim());
  if (adb?.[1]) {
    const reason = adb[1].trim();
    return /refused/i.test(reason) ? (SOCKET_REASONS.ECONNREFUSED as string) : reason.toLowerCase();
  }
  // the adb server gave up on an address that took the connection but never spoke ADB (its limit: 10 s)
  if (/^failed to connect to \S+$/i.test(message.trim())) return "no ADB answer within 10 s";
  return message;
}
