/**
 * A stand-in for cTrader's backend, for development and demos: it issues one-time tokens for a
 * few demo traders and answers the redeem call exactly as the contract describes (60 s
 * lifetime, single use, 404 otherwise, 401 for a wrong manager token; a path it does not serve
 * gets a web server's HTML 404, as a wrong URL would from cTrader's host). It is served at
 * /api/dev/ctrader/… and also called in-process by the token adapter, so the adapter's real
 * parsing runs in the demo. Enabled only when CTRADER_API_URL is unset and the app is not in
 * production (or DEV_SIMULATOR=1). State lives in memory: a restart forgets issued tokens.
 */
import { env } from "@/lib/env";
import { readBody } from "@/lib/http/body";
import { MAX_JSON_BYTES } from "@/lib/http/json";
import { createCtraderRedeemer, type Redeemer } from "@/lib/identity/ctrader-redeem";
import { newToken } from "@/lib/identity/secrets";

export type DemoTrader = { userId: number; email: string; tradingLogin: number; name: string };

export const DEMO_TRADERS: readonly DemoTrader[] = [
  {
    userId: 1001,
    email: "anna.schmidt@example.com",
    tradingLogin: 5_100_101,
    name: "Anna Schmidt",
  },
  { userId: 1002, email: "omar.haddad@example.com", tradingLogin: 5_100_102, name: "Omar Haddad" },
  { userId: 1003, email: "li.wei@example.com", tradingLogin: 5_100_103, name: "Li Wei" },
  {
    userId: 1004,
    email: "maria.garcia@example.com",
    tradingLogin: 5_100_104,
    name: "María García",
  },
];

/**
 * Besides the named demo traders, any userId from 2000 to 2999 is a fresh anonymous trader
 * (`trader<id>@example.com`): end-to-end tests and demos that need a clean start use those.
 */
export function findDemoTrader(userId: number): DemoTrader | undefined {
  const named = DEMO_TRADERS.find((t) => t.userId === userId);
  if (named) return named;
  if (Number.isInteger(userId) && userId >= 2000 && userId <= 2999)
    return {
      userId,
      email: `trader${userId}@example.com`,
      tradingLogin: 5_200_000 + userId,
      name: `Trader ${userId}`,
    };
  return undefined;
}

export const SIMULATOR_TOKEN_TTL_MS = 60_000;
export const SIMULATOR_MANAGER_TOKEN = "simulator-manager-token";
export const SIMULATOR_BASE_PATH = "/api/dev/ctrader";

type Issued = { userId: number; expiresAt: number; used: boolean };
type Store = { tokens: Map<string, Issued> };
const store: Store = ((globalThis as { __kycSimulator?: Store }).__kycSimulator ??= {
  tokens: new Map(),
});

export function mintSimulatorToken(userId: number, now = Date.now()): string {
  if (!findDemoTrader(userId)) throw new Error(`unknown demo trader ${userId}`);
  for (const [key, issued] of store.tokens)
    if (issued.expiresAt < now - 3_600_000) store.tokens.delete(key);
  const token = newToken();
  store.tokens.set(token, { userId, expiresAt: now + SIMULATOR_TOKEN_TTL_MS, used: false });
  return token;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * A path the simulator does not serve answers as a web server does, not with cTrader's JSON error:
 * the token adapter then reads a wrong CTRADER_REDEEM_PATH or base URL as the operator's error
 * (`ctrader.redeem.misconfigured`, "try again"), in development as against cTrader, instead of
 * an expired link.
 */
const notFoundPage = () =>
  new Response("<!doctype html><title>404 Not Found</title><h1>Not Found</h1>", {
    status: 404,
    headers: { "content-type": "text/html; charset=utf-8" },
  });

/** Answers POST …/ctid2/inAppToken/redeem and GET …/ctid2/inAppOneTimeToken/data. */
export async function handleSimulatorRequest(
  request: Request,
  now = Date.now(),
): Promise<Response> {
  const url = new URL(request.url);
  const route = url.pathname.startsWith(`${SIMULATOR_BASE_PATH}/`)
    ? url.pathname.slice(SIMULATOR_BASE_PATH.length)
    : null;
  let otToken: unknown;
  if (request.method === "POST" && route === "/ctid2/inAppToken/redeem") {
    try {
      const body = await readBody(request, MAX_JSON_BYTES);
      otToken = (JSON.parse(body.toString("utf8")) as { token?: unknown }).token;
    } catch {
      return json(400, { error: "Bad Request", message: "body must be JSON", code: "BAD_REQUEST" });
    }
  } else if (request.method === "GET" && route === "/ctid2/inAppOneTimeToken/data") {
    otToken = url.searchParams.get("oneTimeToken");
  } else {
    return notFoundPage();
  }
  if (url.searchParams.get("token") !== SIMULATOR_MANAGER_TOKEN) {
    return json(401, { error: "Unauthorized", message: "manager token refused" });
  }
  const issued = typeof otToken === "string" ? store.tokens.get(otToken) : undefined;
  if (!issued || issued.used || issued.expiresAt <= now) {
    return json(404, {
      error: "Not Found",
      message: "token not found, expired or already consumed",
    });
  }
  issued.used = true;
  const trader = findDemoTrader(issued.userId);
  if (!trader) return json(404, { error: "Not Found", message: "unknown user" });
  return json(200, {
    userId: trader.userId,
    email: trader.email,
    tradingLogin: trader.tradingLogin,
  });
}

/** A fetch that never leaves the process: the adapter calls the simulator through it. */
export const simulatorFetch: typeof fetch = async (input, init) =>
  handleSimulatorRequest(new Request(input, init));

/** The redeemer that talks to this simulator instead of cTrader (development only). */
export function simulatorRedeemer(): Redeemer {
  const { ctrader } = env();
  return createCtraderRedeemer({
    baseUrl: `http://simulator.internal${SIMULATOR_BASE_PATH}`,
    managerToken: SIMULATOR_MANAGER_TOKEN,
    api: ctrader.redeemApi,
    // The configured path, so that a wrong one shows in development as it would against cTrader.
    path: ctrader.redeemPath,
    timeoutMs: ctrader.timeoutMs,
    fetch: simulatorFetch,
  });
}
