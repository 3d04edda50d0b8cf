/**
 * The one error type. Every failure the app expects carries a code from a closed list; the code
 * decides the HTTP status and the message key a user sees. Anything else is a bug: it becomes a
 * generic 500 and a log line, and its text never reaches the user.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_TOKEN: 417,
  UPSTREAM_UNAVAILABLE: 502,
  CONFIG: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Safe to show or return: never contains secrets, tokens or personal data. */
  readonly publicMessage: string;
  /** A partner's machine code where a contract names one (e.g. cTrader's CID_TOKEN_EXPIRED). */
  readonly contractCode: string | undefined;
  /** Why, as a code from the raising module's closed list (e.g. the console's refusals). */
  readonly reason: string | undefined;

  constructor(
    code: ErrorCode,
    publicMessage: string,
    options?: { cause?: unknown; contractCode?: string; reason?: string },
  ) {
    super(publicMessage, options);
    this.name = "AppError";
    this.code = code;
    this.publicMessage = publicMessage;
    this.contractCode = options?.contractCode;
    this.reason = options?.reason;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A thrown value's message for a log line (never for a user). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
