/**
 * Every request's id: the caller's `x-request-id` when it is a plausible one (a load balancer's
 * or a client's, so one id follows a request across systems), otherwise a fresh UUID. It is sent
 * back in the response header and written on every log line of the request (lib/log.ts scope).
 * Only printable ASCII up to 128 characters is taken: anything else could forge or break a log
 * line, and is replaced rather than refused, since an id is never a reason to fail a request.
 */
import { withLogScope } from "@/lib/log";

export const REQUEST_ID_HEADER = "x-request-id";

const ACCEPTABLE = /^[\x20-\x7e]{1,128}$/;

/** The id for a request with these headers: the given one if acceptable, else a new one. */
export function requestIdOf(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER);
  return given !== null && ACCEPTABLE.test(given) ? given : crypto.randomUUID();
}

/**
 * The response with its request id header. A response from `Response.redirect` (or a fetch) has
 * immutable headers; it is copied then.
 */
export function withRequestIdHeader(response: Response, requestId: string): Response {
  if (response.headers.has(REQUEST_ID_HEADER)) return response;
  try {
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(REQUEST_ID_HEADER, requestId);
    return copy;
  }
}

/**
 * Runs a route handler in its request's scope: its log lines carry the id, and so does the
 * response. Behind the proxy the id is the proxy's (forwarded as a request header); a route the
 * proxy does not run for (the local upload route) takes or makes its own here.
 */
export async function inRequestScope(
  request: Request,
  handle: () => Promise<Response>,
): Promise<Response> {
  const requestId = requestIdOf(request.headers);
  const response = await withLogScope({ requestId }, handle);
  return withRequestIdHeader(response, requestId);
}

/** `inRequestScope` as a wrapper: `export const GET = withRequestId(async (request) => …)`. */
export function withRequestId<A extends unknown[]>(
  handler: (request: Request, ...rest: A) => Promise<Response>,
): (request: Request, ...rest: A) => Promise<Response> {
  return (request, ...rest) => inRequestScope(request, () => handler(request, ...rest));
}
