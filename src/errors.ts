// The API's error codes (see the envelope in the README) and the one error type that carries them.
export const Code = {
  ok: 0,
  invalid: 40001,
  scriptNameMissing: 40002,
  scriptUnsupported: 40003,
  noAccount: 40004,
  unauthorized: 40101,
  planForbidsApi: 40301,
  foreignRequest: 40302,
  notFound: 40401,
  conflict: 40901,
  tooLarge: 41301,
  tooManyConnections: 42901,
  internal: 50001,
  streamsFull: 50301,
  nodeUnavailable: 50302,
} as const;
export type CodeValue = (typeof Code)[keyof typeof Code];

/** The message of 40002, wherever the missing name is noticed. */
export const SCRIPT_NAME_MISSING = "script_name is required";

/** The HTTP status beside each code: its first three digits, except 40004 (no account found), a 404. */
export function httpStatusOf(code: CodeValue): number {
  if (code === Code.ok) return 200;
  if (code === Code.noAccount) return 404;
  return Math.floor(code / 100);
}

/** What is wrong with one field of a request: its JSON pointer (e.g. "/script_config/captions") and why. */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: CodeValue,
    message: string,
    readonly data: Record<string, unknown> | null = null,
  ) {
    super(message);
  }

  static invalid(message: string, errors?: ErrorDetail[]): AppError {
    return new AppError(Code.invalid, message, errors ? { errors } : null);
  }

  static scriptNameMissing(): AppError {
    return new AppError(Code.scriptNameMissing, SCRIPT_NAME_MISSING);
  }
}
