/**
 * The trader's JSON endpoints behind the screens (documents, phone handoff): the session
 * cookie identifies the trader and case, exactly as for the pages. Because that cookie must be
 * SameSite=None (cTrader Web frames us), every state-changing call is also checked to come from
 * our own pages: `Origin` equal to PUBLIC_BASE_URL's, `Sec-Fetch-Site` same-origin, and bodies
 * declared JSON only (415 otherwise), and must name the sign-in its page was rendered for
 * (lib/inapp/window.ts: 409 `other_sign_in` otherwise). Errors are
 * `{error, message, code, reason}`, every refusal with a reason from the upload contract's lists
 * (a body that does not read included); nothing a trader does yields a 500.
 */
import { getCaseDocument } from "@/lib/db/queries/documents";
import type { SessionRefusal, UploadRefusal } from "@/lib/documents/upload-contract";
import type { ErrorCode } from "@/lib/errors";
import type { KycCase, Session, Trader } from "@/lib/db/schema";
import { readBody } from "@/lib/http/body";
import { isJsonContentType, refusal, toErrorResponse } from "@/lib/http/json";
import { isSameOrigin } from "@/lib/http/origin";
import { inRequestScope } from "@/lib/http/request-id";
import { getAnyScreenContext } from "./screen-context";
import { isOwnWindow, WINDOW_HEADER } from "./window";

export type TraderCase = {
  session: Session;
  trader: Trader;
  kycCase: KycCase;
  locale: string;
  theme: string | null;
  /** A phone-handoff session: the one document type it may use; null for a full session. */
  documentScope: string | null;
};

/** A scoped session asking for another document type than its own. */
export function outOfScope(context: TraderCase, documentType: string): boolean {
  return context.documentScope !== null && context.documentScope !== documentType;
}

/** The same for a document by id (its type is looked up in the session's own case). */
export async function documentOutOfScope(
  context: TraderCase,
  documentId: string,
): Promise<boolean> {
  if (context.documentScope === null) return false;
  // Fail closed: an id that is not one of this case's documents of that type is refused too.
  const row = await getCaseDocument(context.kycCase.id, documentId).catch(() => undefined);
  return row?.documentType !== context.documentScope;
}

/**
 * The contract's reason for a refusal of the request itself that the body reader (or a handler)
 * throws without one (lib/http/json.ts, body.ts): every refusal of the trader API names a reason
 * from the upload contract's lists, as docs/documents.md says.
 */
const REQUEST_REFUSALS = {
  BAD_REQUEST: "bad_request",
  // The body, not the trader's file: the screens word `too_large` as a file over the size limit.
  PAYLOAD_TOO_LARGE: "request_too_large",
  UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
} as const satisfies Partial<Record<ErrorCode, UploadRefusal | SessionRefusal>>;

/** A refusal of the trader API itself, from the list the screens have words for. */
function refuseSession(status: number, reason: SessionRefusal, message: string): Response {
  return refusal(status, reason, message);
}

export function refuseOutOfScope(): Response {
  return refuseSession(403, "out_of_scope", "this session may upload one document type only");
}

export { isSameOrigin, refusal };

/**
 * A form one of our own screens posted (a plain HTML form, no JavaScript): same origin,
 * url-encoded, at most `limit` bytes. Anything else is answered here (403, 415, 413).
 */
export async function readOwnForm(
  request: Request,
  limit: number,
  route: string,
): Promise<URLSearchParams | Response> {
  if (!isSameOrigin(request)) return refusal(403, "cross_site", "cross-site request refused");
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded")
    return refusal(415, "unsupported_media_type", "a form post is expected");
  try {
    return new URLSearchParams((await readBody(request, limit)).toString("utf8"));
  } catch (error) {
    return toErrorResponse(error, route, REQUEST_REFUSALS);
  }
}

/** The origin the browser used to reach us (behind a proxy: the forwarded host and scheme). */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? url.host;
  const proto = request.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  return `${proto}://${host}`;
}

export async function withTraderCase(
  request: Request,
  route: string,
  handler: (context: TraderCase) => Promise<Response>,
  {
    mutates,
    handoff = false,
  }: {
    mutates: boolean;
    /**
     * The route also serves phone-handoff sessions and checks `documentScope` itself; without
     * this a scoped session is refused (403) before the handler runs.
     */
    handoff?: boolean;
  },
): Promise<Response> {
  return inRequestScope(request, () => traderCase(request, route, handler, mutates, handoff));
}

async function traderCase(
  request: Request,
  route: string,
  handler: (context: TraderCase) => Promise<Response>,
  mutates: boolean,
  handoff: boolean,
): Promise<Response> {
  try {
    if (mutates && !isSameOrigin(request))
      return refuseSession(403, "cross_site", "cross-site request refused");
    // A body that is not JSON is refused whatever the route reads: the types a cross-site form
    // can send without a CORS preflight never reach a handler that changes something.
    const type = request.headers.get("content-type");
    if (mutates && type !== null && !isJsonContentType(type))
      return refuseSession(415, "unsupported_media_type", "body must be application/json");
    const context = await getAnyScreenContext();
    if (!context?.kycCase) return refuseSession(401, "session_expired", "no live session");
    if (context.session.documentScope !== null && !handoff) return refuseOutOfScope();
    // A window rendered for an earlier sign-in in this browser (lib/inapp/window.ts): a write is
    // refused without its own reference; a read only when it names another sign-in (the status
    // stream's EventSource cannot send a header).
    const posted = request.headers.get(WINDOW_HEADER);
    if ((mutates || posted !== null) && !isOwnWindow(context.session, posted))
      return refuseSession(
        409,
        "other_sign_in",
        "this window belongs to an earlier sign-in; reload",
      );
    return await handler({
      session: context.session,
      trader: context.trader,
      kycCase: context.kycCase,
      locale: context.session.locale,
      theme: context.session.theme,
      documentScope: context.session.documentScope,
    });
  } catch (error) {
    return toErrorResponse(error, route, REQUEST_REFUSALS);
  }
}
