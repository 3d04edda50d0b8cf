/**
 * Errors Next.js itself reports for a request (instrumentation.ts `onRequestError`: a page or
 * route that threw, a failed server action), as one line of our log instead of Next's own
 * console output. The path is logged without its query (a screen URL can carry a one-time
 * token), and the error by its class, code and place (lib/errors.ts errorFacts), never its
 * message or stack, which may quote the trader's data or SQL values.
 */
import { errorFacts } from "@/lib/errors";
import { log } from "@/lib/log";
import { requestIdOf } from "./request-id";

export type NextRequestInfo = {
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
};
export type NextErrorContext = {
  routerKind?: string;
  routePath?: string;
  routeType?: string;
};

export function logRequestError(
  error: unknown,
  request: NextRequestInfo,
  context: NextErrorContext,
): void {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers))
    if (typeof value === "string") headers.set(name, value);
  const digest =
    typeof error === "object" && error !== null && "digest" in error
      ? String((error as { digest: unknown }).digest)
      : undefined;
  log.error("request.failed", {
    requestId: requestIdOf(headers),
    method: request.method,
    path: request.path.split("?")[0],
    route: context.routePath,
    routeType: context.routeType,
    ...errorFacts(error),
    ...(digest !== undefined && { digest }),
  });
}
