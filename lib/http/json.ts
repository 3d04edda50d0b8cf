/**
 * JSON route plumbing: bounded body parsing and the one error mapping. An AppError becomes its
 * status with `{error, message, code}` — the shape cTrader's error contract uses (A.5), applied
 * to every JSON API here for consistency. Anything else is a bug: a generic 500 and a log line.
 */
import { STATUS_CODES } from "node:http";
import { z } from "zod";
import { AppError, errorFacts, isAppError, type ErrorCode } from "@/lib/errors";
import { log } from "@/lib/log";
import { readBody } from "./body";
import type { ErrorBody } from "./error-body";

export const MAX_JSON_BYTES = 16 * 1024;

export function errorBody(
  status: number,
  message: string,
  code: string,
  reason?: string,
): ErrorBody {
  return { error: STATUS_CODES[status] ?? "Error", message, code, ...(reason && { reason }) };
}

/**
 * The one mapping from a thrown value to an HTTP answer: an AppError to its status with
 * `{error, message, code}` and its `reason` when it has one (a screen shows its own words for
 * it: a vendor capture on an erased case answers 410 `case_erased`); anything else (a bug) to a
 * generic 500 and a log line, its text never sent. `reasons` gives an API whose contract names a
 * reason for every refusal the reason of an AppError that has none of its own, by its code (the
 * body reader's refusals: a malformed body, one over its limit, one not declared JSON).
 */
export function toErrorResponse(
  error: unknown,
  route: string,
  reasons: Partial<Record<ErrorCode, string>> = {},
): Response {
  if (isAppError(error)) {
    const reason = error.reason ?? reasons[error.code];
    return Response.json(
      errorBody(error.status, error.publicMessage, error.contractCode ?? error.code, reason),
      { status: error.status },
    );
  }
  // The class, code and place only: a driver error's message quotes the SQL with its values.
  log.error("route.failed", { route, ...errorFacts(error) });
  return Response.json(errorBody(500, "internal error", "INTERNAL"), { status: 500 });
}

/** An expected refusal with its machine-readable reason (`{error, message, code, reason}`). */
export function refusal(status: number, reason: string, message = reason): Response {
  return Response.json(errorBody(status, message, reason.toUpperCase(), reason), { status });
}

/** `application/json` or a `+json` type, parameters (charset) ignored. */
export function isJsonContentType(value: string | null): boolean {
  const type = value?.split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

const notJson = () =>
  new AppError("UNSUPPORTED_MEDIA_TYPE", "body must be application/json", {
    contractCode: "UNSUPPORTED_MEDIA_TYPE",
  });

/**
 * Reads at most MAX_JSON_BYTES of a JSON body and parses it with `schema`. The body must be
 * declared JSON: a browser sends text/plain, form and multipart bodies cross-site without asking
 * (no CORS preflight), JSON only after one. `missingType: "allow"` is for server-to-server
 * callers that may omit the header (cTrader's SSO calls); a declared non-JSON type is refused
 * either way.
 */
export async function readJson<T extends z.ZodType>(
  request: Request,
  schema: T,
  { missingType = "refuse" }: { missingType?: "refuse" | "allow" } = {},
): Promise<z.infer<T>> {
  const declared = request.headers.get("content-type");
  if (declared === null ? missingType === "refuse" : !isJsonContentType(declared)) {
    void request.body?.cancel().catch(() => undefined);
    throw notJson();
  }
  const text = (await readBody(request, MAX_JSON_BYTES)).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "body must be a JSON object", {
      contractCode: "MALFORMED_REQUEST",
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const missing = issue?.code === "invalid_type" && issue.message.includes("undefined");
    const field = issue?.path.join(".") || "body";
    throw new AppError("BAD_REQUEST", `${field}: ${missing ? "required" : "invalid"}`, {
      contractCode: missing ? "MISSING_REQUIRED_PARAMETER" : "INVALID_PARAMETER",
    });
  }
  return parsed.data;
}
