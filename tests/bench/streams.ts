/**
 * `npm run bench -- --only=streams`
 *
 * Live status streams on one instance (issue 16): STREAM_COUNT traders each hold the status
 * screen's server-sent events stream (/api/inapp/status/stream) open and idle. Measured:
 * - memory per stream: the server's RSS with every stream open minus its RSS with the same
 *   sessions and no stream, over the stream count;
 * - fan-out latency: every trader's case changes status (committed by this process on the same
 *   database, as another replica or the worker would: PostgreSQL NOTIFY reaches the server's one
 *   LISTEN), and each stream's `status` event is timed from the start of its change; p50/p95/max
 *   over the whole burst, and every stream must hear its change.
 */
import http from "node:http";
import { openDatabase, setDatabaseOverride } from "../../lib/db/client";
import { getTraderWithOpenCase } from "../../lib/db/queries/traders";
import { resetEnvCache } from "../../lib/env";
import { changeCaseStatus } from "../../lib/kyc/cases";
import { newTraderId, traderToken } from "./ctrader-stub";
import { rssMbOf } from "./hostile-uploads";
import { openSession } from "./load";
import type { Check } from "./report";

/** A submit's event data, as the trader's submit stores it: the steps sent. */
const SENT = { steps: ["personal", "identity"] };

export const STREAM_COUNT = 1000;
export const KIB_PER_STREAM_MAX = 100;
export const FANOUT_P95_MAX_MS = 2000;
const OPEN_CONCURRENCY = 50;
const CHANGE_CONCURRENCY = 20;
const EVENT_TIMEOUT_MS = 60_000;
/** The server settles (pools, JIT, allocation) before each RSS reading. */
const SETTLE_MS = 3000;

export type StreamsBenchResult = {
  streams: number;
  opened: number;
  rssMb: { sessionsOnly: number; withStreams: number };
  kibPerStream: number;
  fanout: { changes: number; heard: number; p50Ms: number; p95Ms: number; maxMs: number };
};

type OpenStream = {
  /** performance.now() of each `status` event, by status. */
  heard: Map<string, number>;
  close(): void;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Runs `fn` over `items`, `concurrency` at a time. */
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * One stream on its own socket, as one trader's browser holds it; resolves at its first event.
 * Every stream is closed at the section's end, aborted or not, so none takes the run's signal.
 */
function openStream(baseUrl: string, cookie: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const heard = new Map<string, number>();
    const request = http.get(
      `${baseUrl}/api/inapp/status/stream`,
      { agent: false, headers: { cookie, accept: "text/event-stream" } },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`stream: HTTP ${response.statusCode}`));
          return;
        }
        let buffer = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(event)?.[1];
            if (!/^event: status$/m.test(event) || !data) continue;
            const { status } = JSON.parse(data) as { status: string };
            if (!heard.has(status)) heard.set(status, performance.now());
            if (heard.size === 1) resolve({ heard, close: () => request.destroy() });
          }
        });
        response.on("error", () => {});
      },
    );
    request.on("error", reject);
  });
}

/** The app's own modules against the server's database, in this process (see outbox.ts). */
async function withAppDatabase<T>(databaseUrl: string, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(
    ["NODE_ENV", "LOG_LEVEL", "APP_SECRET", "WEBHOOK_ENDPOINTS", "DATABASE_URL"].map((k) => [
      k,
      process.env[k],
    ]),
  );
  const env = process.env as Record<string, string | undefined>;
  Object.assign(env, {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    APP_SECRET: "bench-secret-bench-secret-bench-secret-0123",
  });
  delete env.WEBHOOK_ENDPOINTS; // the server's outbox rows are not this section's business
  resetEnvCache();
  const handle = await openDatabase({
    kind: "postgres",
    url: databaseUrl,
    max: CHANGE_CONCURRENCY,
  });
  setDatabaseOverride(handle);
  try {
    return await fn();
  } finally {
    setDatabaseOverride(undefined);
    await handle.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    resetEnvCache();
  }
}

export async function benchStreams(options: {
  baseUrl: string;
  serverPid: number;
  databaseUrl: string;
  signal: AbortSignal;
  count?: number;
}): Promise<StreamsBenchResult> {
  const count = options.count ?? STREAM_COUNT;
  const traders: { userId: number; cookie: string; stream?: OpenStream }[] = Array.from(
    { length: count },
    () => ({ userId: newTraderId(), cookie: "" }),
  );
  await pool(traders, OPEN_CONCURRENCY, async (t) => {
    t.cookie = await openSession(options.baseUrl, traderToken(t.userId));
  });
  await sleep(SETTLE_MS);
  const sessionsOnly = rssMbOf(options.serverPid);

  const streams: OpenStream[] = [];
  try {
    await pool(traders, OPEN_CONCURRENCY, async (t) => {
      if (options.signal.aborted) throw options.signal.reason;
      t.stream = await openStream(options.baseUrl, t.cookie);
      streams.push(t.stream);
    });
    await sleep(SETTLE_MS);
    const withStreams = rssMbOf(options.serverPid);

    const started = new Map<number, number>();
    await withAppDatabase(options.databaseUrl, () =>
      pool(traders, CHANGE_CONCURRENCY, async (t) => {
        const found = await getTraderWithOpenCase(t.userId);
        if (!found?.openCase) throw new Error(`trader ${t.userId}: no open case`);
        started.set(t.userId, performance.now());
        await changeCaseStatus({
          kycCase: found.openCase,
          event: "submit",
          data: SENT,
          actor: { type: "trader", id: found.trader.id },
        });
      }),
    );
    const deadline = performance.now() + EVENT_TIMEOUT_MS;
    while (
      streams.some((s) => !s.heard.has("submitted")) &&
      performance.now() < deadline &&
      !options.signal.aborted
    )
      await sleep(50);
    const latencies = traders
      .map((t) => {
        const at = t.stream?.heard.get("submitted");
        return at === undefined ? undefined : at - started.get(t.userId)!;
      })
      .filter((x): x is number => x !== undefined)
      .sort((a, b) => a - b);
    return {
      streams: count,
      opened: streams.length,
      rssMb: { sessionsOnly, withStreams },
      kibPerStream: ((withStreams - sessionsOnly) * 1024) / streams.length,
      fanout: {
        changes: started.size,
        heard: latencies.length,
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        maxMs: percentile(latencies, 100),
      },
    };
  } finally {
    for (const s of streams) s.close();
  }
}

export function streamsChecks(result: StreamsBenchResult | null | undefined): Check[] {
  if (!result) return [];
  return [
    {
      name: `${result.streams} idle status streams: memory per stream`,
      pass: result.opened === result.streams && result.kibPerStream <= KIB_PER_STREAM_MAX,
      detail: `${result.opened} open, ${result.kibPerStream.toFixed(1)} KiB each (RSS ${result.rssMb.sessionsOnly.toFixed(0)} → ${result.rssMb.withStreams.toFixed(0)} MB; target ≤ ${KIB_PER_STREAM_MAX} KiB)`,
    },
    {
      name: "status change → every stream's event",
      pass: result.fanout.heard === result.streams && result.fanout.p95Ms <= FANOUT_P95_MAX_MS,
      detail: `${result.fanout.heard}/${result.fanout.changes} heard, p50 ${result.fanout.p50Ms.toFixed(0)} ms, p95 ${result.fanout.p95Ms.toFixed(0)} ms, max ${result.fanout.maxMs.toFixed(0)} ms (target p95 ≤ ${FANOUT_P95_MAX_MS} ms)`,
    },
  ];
}

export function renderStreams(result: StreamsBenchResult): string {
  return [
    `live status streams (${result.streams} idle on one instance)`,
    `  open: ${result.opened}; RSS with sessions only ${result.rssMb.sessionsOnly.toFixed(1)} MB, with streams ${result.rssMb.withStreams.toFixed(1)} MB: ${result.kibPerStream.toFixed(1)} KiB per stream`,
    `  fan-out (${result.fanout.changes} changes at ${CHANGE_CONCURRENCY} at a time): ${result.fanout.heard} heard, p50 ${result.fanout.p50Ms.toFixed(1)} ms, p95 ${result.fanout.p95Ms.toFixed(1)} ms, max ${result.fanout.maxMs.toFixed(1)} ms`,
  ].join("\n");
}
