/**
 * Bearer keys of the broker's server-to-server APIs (the CRM API under /api/crm, metrics-style
 * scrapers): `Authorization: Bearer <key>` compared in constant time over hashes, so neither the
 * key's content nor its length leaks through timing. Fail closed: while the key is not
 * configured nobody is let in, and the route answers as if it did not exist.
 */
import { env } from "@/lib/env";
import { safeEqual } from "@/lib/identity/secrets";
import { refusal } from "./json";

export type BearerAccess = "unset" | "refused" | "granted";

export function bearerAccess(
  authorization: string | null,
  expected: string | undefined,
): BearerAccess {
  if (!expected) return "unset";
  const match = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? "");
  // safeEqual even for a missing header: the answer takes as long as for a wrong key.
  return safeEqual(match?.[1] ?? "", expected) && match ? "granted" : "refused";
}

/**
 * The answer to a request that was not granted: 404 while the key is unset (the API is off),
 * 401 with a `WWW-Authenticate` challenge for a missing or wrong key. Null when granted.
 */
export function bearerRefusal(access: BearerAccess, realm: string): Response | null {
  if (access === "granted") return null;
  if (access === "unset") return refusal(404, "not_found");
  const response = refusal(401, "unauthenticated", "a valid bearer key is required");
  response.headers.set("www-authenticate", `Bearer realm="${realm}"`);
  return response;
}

/** The CRM API's key check (CRM_API_KEY): null when granted, else the answer to send. */
export function crmApiRefusal(request: Request): Response | null {
  return bearerRefusal(bearerAccess(request.headers.get("authorization"), env().crmApiKey), "crm");
}
