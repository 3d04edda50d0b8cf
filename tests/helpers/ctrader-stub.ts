import { http, HttpResponse, delay } from "msw";
import { setupServer } from "msw/node";

export const CTRADER = "https://ctrader.test";

/**
 * msw at the HTTP boundary to cTrader only. Requests to loopback (a local server of our own)
 * pass through; anything else unhandled is an error.
 */
export const ctraderServer = setupServer();

export function listenForCtrader(): void {
  ctraderServer.listen({
    onUnhandledRequest(request, print) {
      const host = new URL(request.url).hostname;
      if (host !== "127.0.0.1" && host !== "localhost") print.error();
    },
  });
}

export type Seen = { url: URL; body: unknown; method: string };

/** A cTrader redeem endpoint answering `respond` for every request, recording what it saw. */
export function stubRedeem(respond: (seen: Seen) => Promise<Response> | Response): Seen[] {
  const seen: Seen[] = [];
  ctraderServer.use(
    http.post(`${CTRADER}/ctid2/inAppToken/redeem`, async ({ request }) => {
      const entry = {
        url: new URL(request.url),
        body: await request.json().catch(() => null),
        method: "POST",
      };
      seen.push(entry);
      return respond(entry);
    }),
    http.get(`${CTRADER}/ctid2/inAppOneTimeToken/data`, async ({ request }) => {
      const entry = { url: new URL(request.url), body: null, method: "GET" };
      seen.push(entry);
      return respond(entry);
    }),
  );
  return seen;
}

export const identity = (userId = 4242) => ({
  userId,
  email: `trader${userId}@example.com`,
  tradingLogin: 9_000_000 + userId,
});

/** cTrader's refusal of a token it does not know (or no longer): its JSON error body. */
export const ctraderNotFound = (status = 404, code?: string) =>
  HttpResponse.json(
    {
      error: "Not Found",
      message: "token not found, expired or already consumed",
      ...(code ? { code } : {}),
    },
    { status },
  );

export { http, HttpResponse, delay };
