/**
 * The vendors' HTTP calls: a timeout, no redirects (a redirect to another host would carry our
 * signed headers along), every answer parsed with zod, and every failure an AppError that names
 * the vendor's own error code but never echoes its body (it can contain personal data).
 */
import { createHmac } from "node:crypto";
import type { z } from "zod";
import { AppError } from "@/lib/errors";
import { safeEqual } from "@/lib/identity/secrets";
import type { VendorName } from "./verdict";

export const VENDOR_TIMEOUT_MS = 15_000;

export type VendorRequest = {
  vendor: VendorName;
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  /** Covers the answer's body too; VENDOR_TIMEOUT_MS unless a caller needs less. */
  timeoutMs?: number;
};

function unavailable(request: VendorRequest, error: unknown): AppError {
  // By name: a DOMException from another realm (a test's VM context) is not `instanceof Error`.
  const timedOut = (error as { name?: unknown } | null)?.name === "TimeoutError";
  return new AppError(
    "UPSTREAM_UNAVAILABLE",
    timedOut ? `${request.vendor} did not answer in time` : `${request.vendor} unreachable`,
    { cause: error },
  );
}

async function send(request: VendorRequest): Promise<Response> {
  try {
    return await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(request.timeoutMs ?? VENDOR_TIMEOUT_MS),
    });
  } catch (error) {
    throw unavailable(request, error);
  }
}

/** The vendor's machine code from an error body, if it has one of the shapes we know. */
function errorCode(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const record = body as Record<string, unknown>;
  const nested = record.error as Record<string, unknown> | undefined;
  const code = record.errorName ?? record.errorCode ?? nested?.type;
  return typeof code === "string" || typeof code === "number" ? String(code) : undefined;
}

/** `Retry-After` in whole seconds from now (delay-seconds or an HTTP date), if it says. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

async function refuse(request: VendorRequest, response: Response): Promise<never> {
  const status = response.status;
  // Followed, a redirect would carry our credentials to wherever it points: never followed.
  if (status >= 300 && status < 400) {
    void response.body?.cancel().catch(() => undefined);
    throw new AppError(
      "UPSTREAM_UNAVAILABLE",
      `${request.vendor} answered a redirect (${status}), not followed`,
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  const code = errorCode(body);
  const what = `${request.vendor} answered ${status}${code ? ` (${code})` : ""}`;
  // Our credentials or request are wrong: a configuration problem, not worth retrying blindly.
  if (status === 401 || status === 403) throw new AppError("CONFIG", what, { contractCode: code });
  if (status === 404) throw new AppError("NOT_FOUND", what, { contractCode: code });
  if (status === 409) throw new AppError("CONFLICT", what, { contractCode: code });
  if (status === 429) {
    // Their limit, not the caller's: unavailable for now (a webhook answers 502 and comes back).
    const wait = retryAfterSeconds(response.headers.get("retry-after"));
    throw new AppError(
      "UPSTREAM_UNAVAILABLE",
      `${what}: rate limited${wait === undefined ? "" : `, retry after ${wait} s`}`,
      { contractCode: code },
    );
  }
  if (status >= 400 && status < 500)
    throw new AppError("BAD_REQUEST", what, { contractCode: code });
  throw new AppError("UPSTREAM_UNAVAILABLE", what, { contractCode: code });
}

export async function vendorJson<T extends z.ZodType>(
  request: VendorRequest,
  schema: T,
): Promise<z.infer<T>> {
  const response = await send(request);
  if (!response.ok) return refuse(request, response);
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success)
    throw new AppError("UPSTREAM_UNAVAILABLE", `${request.vendor} answered an unexpected shape`);
  return parsed.data;
}

export async function vendorFile(
  request: VendorRequest,
): Promise<{ contentType: string; body: Uint8Array }> {
  const response = await send(request);
  if (!response.ok) return refuse(request, response);
  try {
    return {
      contentType: response.headers.get("content-type") ?? "application/octet-stream",
      body: new Uint8Array(await response.arrayBuffer()),
    };
  } catch (error) {
    // The body broke off or outlived the timeout.
    throw unavailable(request, error);
  }
}

/** Constant-time comparison of an HMAC over `body` with a hex signature from a header. */
export function hmacHexMatches(
  algorithm: "sha256" | "sha512",
  key: string,
  body: Uint8Array,
  given: string | null,
): boolean {
  if (!given) return false;
  return safeEqual(createHmac(algorithm, key).update(body).digest("hex"), given.toLowerCase());
}

/** A webhook body whose signature was checked, read with the vendor's schema. */
export function readWebhookJson<T extends z.ZodType>(rawBody: Uint8Array, schema: T): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(rawBody).toString("utf8"));
  } catch {
    throw new AppError("BAD_REQUEST", "webhook body is not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError("BAD_REQUEST", "webhook body has an unknown shape");
  return parsed.data;
}
