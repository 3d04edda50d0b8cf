/**
 * A stand-in for cTrader's redeem endpoint, over real HTTP on loopback, so the exchange scenario
 * pays for the same outbound call (connect, JSON, zod parse) it pays in production. It does not
 * check single use: the app claims each token in its own database before asking, and the
 * benchmark never replays a token.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type CtraderStubOptions = {
  /** The manager token the app must send as `?token=`; anything else gets 404. */
  managerToken: string;
  /** How many distinct traders the answers cycle through (traders get reused, as in real life). */
  distinctUsers: number;
};

export type CtraderStubStats = { redeemed: number; rejected: number };

export type CtraderStub = {
  url: string;
  stats: CtraderStubStats;
  close(): Promise<void>;
};

const REDEEM_PATH = "/ctid2/inAppToken/redeem";
/** Far from ids the tests use, so a shared database does not mix bench and test traders. */
const USER_ID_BASE = 700_000;
/**
 * A token starting with this opens a trader never seen before (random id above the load's
 * range): the upload benchmarks need a case with nothing uploaded yet, in a database that
 * earlier runs keep.
 */
export const FRESH_TRADER_TOKEN_PREFIX = "fresh-";
const FRESH_USER_ID_BASE = 10_000_000;

/**
 * A one-time token for one given trader (`trader-<userId>-<random>`): Lighthouse opens the same
 * trader's screens from a fresh launch URL on every run, as cTrader does each time it opens one.
 */
export function traderToken(userId: number): string {
  return `trader-${userId}-${randomBytes(32).toString("base64url")}`;
}

/** A trader id nobody used before (the database outlives runs): the first launch creates them. */
export function newTraderId(): number {
  return FRESH_USER_ID_BASE + Math.floor(Math.random() * 1_000_000_000);
}
const MAX_BODY_BYTES = 16 * 1024;

function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    // Drain to the end even when too large, so the keep-alive connection stays usable.
    request.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function hasStringToken(body: string | undefined): boolean {
  if (body === undefined) return false;
  try {
    const parsed: unknown = JSON.parse(body);
    return (
      typeof parsed === "object" &&
      parsed !== null &&
      "token" in parsed &&
      typeof parsed.token === "string" &&
      parsed.token.length > 0
    );
  } catch {
    return false;
  }
}

export async function startCtraderStub(options: CtraderStubOptions): Promise<CtraderStub> {
  const stats: CtraderStubStats = { redeemed: 0, rejected: 0 };
  let counter = 0;

  const server = http.createServer((request, response) => {
    const send = (status: number, body: string) => {
      response.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    };
    readBody(request).then(
      (body) => {
        const url = new URL(request.url ?? "/", "http://stub.invalid");
        const valid =
          request.method === "POST" &&
          url.pathname === REDEEM_PATH &&
          url.searchParams.get("token") === options.managerToken &&
          hasStringToken(body);
        if (!valid) {
          stats.rejected += 1;
          send(404, JSON.stringify({ error: "not found" }));
          return;
        }
        const token = (JSON.parse(body!) as { token: string }).token;
        const named = /^trader-(\d+)-/.exec(token)?.[1];
        const userId = named
          ? Number(named)
          : token.startsWith(FRESH_TRADER_TOKEN_PREFIX)
            ? newTraderId()
            : USER_ID_BASE + (counter % options.distinctUsers);
        counter += 1;
        stats.redeemed += 1;
        send(
          200,
          JSON.stringify({
            userId,
            email: `bench${userId}@example.com`,
            tradingLogin: 5_000_000 + userId,
          }),
        );
      },
      () => {
        stats.rejected += 1;
        if (!response.headersSent) send(404, JSON.stringify({ error: "not found" }));
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        // The app keeps its connections to us alive; drop them so close() does not wait.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
