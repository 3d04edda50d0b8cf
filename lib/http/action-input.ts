/**
 * Server actions as public POST endpoints.
 *
 * Their arguments are whatever the client encoded (a string, an object, a Map, nothing): Next.js
 * decodes them and hands them over, whatever the TypeScript signature says, so every action that
 * reads a form checks that it got one (`isFormData`).
 *
 * Before any of our code runs, Next.js's action handler (next/dist/server/app-render/
 * action-handler.js, Next 16) refuses some requests with a 500: an `Origin` that does not match
 * `Host`/`X-Forwarded-Host` (or is not a URL), a body over `serverActions.bodySizeLimit` (1 MB:
 * it throws a 413 ApiError, then answers 500 for it), and anything its multipart parser or
 * React's reply decoder chokes on. The proxy runs earlier and answers the first two itself, as
 * 403 and 413 (`actionRequestRefusal`). Left to Next.js, still 500, and documented in
 * docs/security.md: a chunked body over 1 MB without Content-Length, a malformed multipart body,
 * and argument lists nested too deep or longer than 1,000 entries.
 */
import { refusal } from "./json";
import { isSameOrigin } from "./origin";

export function isFormData(value: unknown): value is FormData {
  return value instanceof FormData;
}

/** Next.js's default `serverActions.bodySizeLimit` (next.config.ts does not change it). */
export const ACTION_BODY_LIMIT = 1024 * 1024;

/** Paths whose POSTs are route handlers; every other POST may be a server action. */
const ROUTE_HANDLER_PATH = /^\/(api|oauth2|cid)(\/|$)/;

/**
 * The proxy's answer to a POST that Next.js would turn into a 500 before any action runs, or
 * undefined to let it through.
 */
export function actionRequestRefusal(request: Request, pathname: string): Response | undefined {
  if (request.method !== "POST") return undefined;
  if (!request.headers.has("next-action") && ROUTE_HANDLER_PATH.test(pathname)) return undefined;
  if (!isSameOrigin(request)) return refusal(403, "cross_site", "cross-site request refused");
  const declared = request.headers.get("content-length");
  if (declared !== null && !(Number(declared) <= ACTION_BODY_LIMIT))
    return refusal(413, "too_large", "body too large");
  const type = request.headers.get("content-type")?.toLowerCase() ?? "";
  if (type.startsWith("multipart/form-data") && !/;\s*boundary=/.test(type))
    return refusal(400, "malformed_body", "multipart body without a boundary");
  return undefined;
}
