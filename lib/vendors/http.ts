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
};

async function send(request: VendorRequest): Promise<Response> {
  try {
    return await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(VENDOR_TIMEOUT_MS),
    });
  } catch (error) {
    throw new AppError("UPSTREAM_UNAVAILABLE", `${request.vendor} unreachable`, { cause: error });
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

async function refuse(request: VendorRequest, response: Response): Promise<never> {
  const body: unknown = await response.json().catch(() => undefined);
  const code = errorCode(body);
  const what = `${request.vendor} answered ${response.status}${code ? ` (${code})` : ""}`;
  // Our credentials or request are wrong: a configuration problem, not worth retrying blindly.
  if (response.status === 401 || response.status === 403)
    throw new AppError("CONFIG", what, { contractCode: code });
  if (response.status === 404) throw new AppError("NOT_FOUND", what, { contractCode: code });
  if (response.status === 409) throw new AppError("CONFLICT", what, { contractCode: code });
  if (response.status >= 400 && response.status < 500 && response.status !== 429)
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
  return {
    contentType: response.headers.get("content-type") ?? "application/octet-stream",
    body: new Uint8Array(await response.arrayBuffer()),
  };
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
