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
  TOO_MANY_REQUESTS: 429,
  UPSTREAM_UNAVAILABLE: 502,
  CONFIG: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Why an expected action was refused, as a code from a closed list per area: the console and
 * the trader's screens show a message for each (lib/review/console-messages.ts, the catalogs),
 * so a new reason cannot ship without its words. Document upload refusals have their own list in
 * the upload contract (lib/documents/upload-contract.ts).
 */
export const ERROR_REASONS = {
  review: [
    "not_found",
    "changed",
    "not_reviewable",
    "not_open",
    "not_waiting",
    "not_rejected",
    "checks_running",
    "checks_failed",
    "checks_done",
    "confirmed_match",
    "likely_hit_open",
    "approval_on_hold",
    "hit_unjudged",
    "screening_outdated",
    "unknown_hit",
    "hit_already_confirmed",
    "hit_already_cleared",
    "already_judged",
    "second_needs_approver",
    "reason_required",
    "already_signed",
    "co_sign_needs_approver",
    "claimed_by_other",
    "unknown_staff",
    "needs_approver",
    "needs_admin",
    "unknown_reason",
    "revoke_needs_final",
    "items_required",
    "message_required",
    "other_case_open",
    "not_assignee",
    "reason_not_for_level",
    "item_not_for_level",
    "case_purged",
    "confirmation_required",
    "no_review_task",
    "review_not_approved",
    "risk_not_higher",
    "nothing_to_renew",
    "unknown_outcome",
    "no_vendor_task",
    "no_monitoring_task",
    "monitoring_task_readable",
    "task_hits_unknown",
    "end_date_invalid",
  ],
  trader: ["not_editable", "incomplete", "inputs_changed", "step_not_requested", "case_erased"],
} as const;
export type ReviewReason = (typeof ERROR_REASONS.review)[number];
export type TraderReason = (typeof ERROR_REASONS.trader)[number];
export type ErrorReason = ReviewReason | TraderReason;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Safe to show or return: never contains secrets, tokens or personal data. */
  readonly publicMessage: string;
  /** A partner's machine code where a contract names one (e.g. cTrader's CID_TOKEN_EXPIRED). */
  readonly contractCode: string | undefined;
  /** Why, as a code from a closed list (ERROR_REASONS). */
  readonly reason: ErrorReason | undefined;

  constructor(
    code: ErrorCode,
    publicMessage: string,
    options?: { cause?: unknown; contractCode?: string; reason?: ErrorReason },
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

/**
 * What a log line may say about a failure whose message can carry input: the error's class, its
 * machine code (a PostgreSQL SQLSTATE, a Node.js `ERR_…`, an AppError code), looked up through
 * `cause` (drizzle wraps the driver's error in one that quotes the SQL and its parameters), and
 * the first stack frame, to find the bug. Never the message, the statement or the values.
 */
export function errorFacts(error: unknown): {
  errorName: string;
  errorCode?: string;
  errorAt?: string;
} {
  const errorAt =
    error instanceof Error
      ? error.stack
          ?.split("\n")
          .find((line) => line.trimStart().startsWith("at "))
          ?.trim()
          .slice(0, 200)
      : undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Za-z0-9_]{1,40}$/.test(code))
      return { errorName: current.name, errorCode: code, errorAt };
    current = current.cause;
  }
  return { errorName: error instanceof Error ? error.name : typeof error, errorAt };
}
