/**
 * A closed-loop load generator: `concurrency` virtual clients each send their next request as
 * soon as the previous one is answered, until `count` requests have been sent in total.
 */
import { randomBytes } from "node:crypto";

export type Outcome = { ok: true } | { ok: false; kind: string };

export type Scenario = {
  name: string;
  send(signal: AbortSignal): Promise<Outcome>;
};

export type RoundResult = {
  scenario: string;
  round: number;
  requests: number;
  ok: number;
  errors: number;
  /** What went wrong, e.g. "HTTP 500" or "303 → /inapp/expired?reason=unavailable", with counts. */
  errorKinds: Record<string, number>;
  seconds: number;
  /** Successful responses per second over the round's wall time. */
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU milliseconds the app server spent per request (null where it cannot be measured). */
  appCpuMsPerRequest: number | null;
  /** The same for this load generator, which shares the machine with the app. */
  clientCpuMsPerRequest: number;
};

/** Each request gives up after this long; a hung request is an error, not a stalled benchmark. */
const REQUEST_TIMEOUT_MS = 15_000;

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return `timeout after ${REQUEST_TIMEOUT_MS} ms`;
    // undici puts the interesting part (ECONNRESET, ECONNREFUSED…) in `cause`.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `${error.name}: ${cause?.code ?? cause?.message ?? error.message}`;
  }
  return String(error);
}

export async function runLoad(
  scenario: Scenario,
  options: {
    count: number;
    concurrency: number;
    round: number;
    signal: AbortSignal;
    /** Cumulative CPU milliseconds of the app server, read before and after the round. */
    appCpuMs: () => number | null;
  },
): Promise<RoundResult> {
  // Latencies of every answered request, errors included: what the clients experienced.
  const latencies = new Float64Array(options.count);
  const errorKinds: Record<string, number> = {};
  let issued = 0;
  let answered = 0;
  let ok = 0;

  const client = async () => {
    while (issued < options.count && !options.signal.aborted) {
      issued += 1;
      const signal = AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = await scenario.send(signal);
      } catch (error) {
        outcome = { ok: false, kind: describe(error) };
      }
      latencies[answered] = performance.now() - started;
      answered += 1;
      if (outcome.ok) ok += 1;
      else errorKinds[outcome.kind] = (errorKinds[outcome.kind] ?? 0) + 1;
    }
  };

  const appCpuBefore = options.appCpuMs();
  const clientCpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const appCpuAfter = options.appCpuMs();
  if (options.signal.aborted) throw new Error(`${scenario.name} round ${options.round} aborted`);

  const sorted = latencies.subarray(0, answered).sort();
  return {
    scenario: scenario.name,
    round: options.round,
    requests: answered,
    ok,
    errors: answered - ok,
    errorKinds,
    seconds,
    rps: ok / seconds,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: percentile(sorted, 100),
    appCpuMsPerRequest:
      appCpuBefore !== null && appCpuAfter !== null && answered > 0
        ? (appCpuAfter - appCpuBefore) / answered
        : null,
    clientCpuMsPerRequest: answered > 0 ? (clientCpu.user + clientCpu.system) / 1000 / answered : 0,
  };
}

/** The baseline: a bare route handler doing one INSERT. */
export function floorScenario(baseUrl: string): Scenario {
  const url = `${baseUrl}/api/dev/floor`;
  return {
    name: "floor",
    async send(signal) {
      const response = await fetch(url, { method: "POST", signal });
      await response.arrayBuffer(); // read to the end so the connection is reused
      return response.status === 204
        ? { ok: true }
        : { ok: false, kind: `HTTP ${response.status}` };
    },
  };
}

/**
 * What cTrader's embedded browser does when it opens the KYC screen: a fresh one-time token
 * (32 random bytes, 43 base64url characters) exchanged for a session cookie and a 303 to the
 * token-free screen URL. The redirect is not followed: the page render is not part of this.
 */
export function exchangeScenario(baseUrl: string): Scenario {
  return {
    name: "exchange",
    async send(signal) {
      const token = randomBytes(32).toString("base64url");
      const response = await fetch(`${baseUrl}/inapp/kyc?token=${token}&lang=en`, {
        redirect: "manual",
        signal,
      });
      await response.arrayBuffer();
      const location = response.headers.get("location");
      if (response.status !== 303) return { ok: false, kind: `HTTP ${response.status}` };
      if (!/^\/inapp\/kyc\?resume=[A-Za-z0-9_-]{43}&lang=en$/.test(location ?? ""))
        return { ok: false, kind: `303 → ${location ?? "(no location)"}` };
      if (!(response.headers.get("set-cookie") ?? "").includes("__Host-kyc_session=")) {
        return { ok: false, kind: "303 without the session cookie" };
      }
      return { ok: true };
    },
  };
}

/** The page floor: a bare dynamic page rendered in the app's root layout. */
export function pageFloorScenario(baseUrl: string): Scenario {
  const url = `${baseUrl}/dev/floor-page`;
  return {
    name: "page-floor",
    async send(signal) {
      const response = await fetch(url, { signal });
      await response.arrayBuffer();
      return response.status === 200
        ? { ok: true }
        : { ok: false, kind: `HTTP ${response.status}` };
    },
  };
}

/** Opens a session the way cTrader does and returns its cookie, for scenarios that need one. */
export async function openSession(
  baseUrl: string,
  token = randomBytes(32).toString("base64url"),
): Promise<string> {
  const response = await fetch(`${baseUrl}/inapp/kyc?token=${token}&lang=en`, {
    redirect: "manual",
  });
  await response.arrayBuffer();
  const cookie = /__Host-kyc_session=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error(`no session cookie (HTTP ${response.status})`);
  return cookie;
}

/** The status screen of a live session, rendered in full (session, case, timeline, checklist). */
export function statusScenario(baseUrl: string, cookies: readonly string[]): Scenario {
  let next = 0;
  return {
    name: "status",
    async send(signal) {
      const cookie = cookies[next++ % cookies.length] ?? "";
      const response = await fetch(`${baseUrl}/inapp/kyc/status`, { headers: { cookie }, signal });
      const body = await response.text();
      if (response.status !== 200) return { ok: false, kind: `HTTP ${response.status}` };
      return body.includes('data-testid="case-status"')
        ? { ok: true }
        : { ok: false, kind: "200 without the status" };
    },
  };
}
