/**
 * `npm run bench:outbox` (or `npx tsx tests/bench/outbox.ts`)
 *
 * Status delivery (issue 6), on PostgreSQL (database `kyc_bench_outbox` on 127.0.0.1:5432,
 * created and dropped here; `BENCH_PG_URL` overrides the server):
 * - drain throughput: events/s from the outbox (claim with SKIP LOCKED and a lease, signed POST to
 *   a local receiver, attempt logged) vs a raw `SKIP LOCKED` loop over a plain table doing the
 *   same POSTs unsigned and unlogged, same run, same concurrency (target ≥ 0.5×);
 * - commit-to-first-attempt latency (status change committed → the receiver has the request),
 *   p50/p95, through `deliverSoon` (the after() path) and through a polling worker.
 * Options: `-- --events=2000 --drainers=2 --limit=50 --latency=200`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import postgres from "postgres";
import { openDatabase, setDatabaseOverride } from "../../lib/db/client";
import { ensureOpenCase } from "../../lib/db/queries/cases";
import { insertOutboxEvent } from "../../lib/db/queries/outbox";
import { upsertTrader } from "../../lib/db/queries/traders";
import { deliverSoon } from "../../lib/jobs/after-response";
import { drainOnce, runWorker } from "../../lib/delivery/worker";
import { resetEnvCache } from "../../lib/env";
import { changeCaseStatus } from "../../lib/kyc/cases";

/** A submit's event data, as the trader's submit stores it: the steps sent. */
const SENT = { steps: ["personal", "identity"] };

export const RATIO_TARGET = 0.5;
const DB_NAME = "kyc_bench_outbox";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

export type OutboxBenchRow = {
  metric: string;
  value: string;
  target: string;
  pass: boolean | null;
};

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function startReceiver() {
  const arrivals = new Map<string, number>();
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count++;
      const id = req.headers["webhook-id"];
      if (typeof id === "string" && !arrivals.has(id)) arrivals.set(id, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    arrivals,
    count: () => count,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "POST", agent: false, headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function benchOutbox(): Promise<OutboxBenchRow[]> {
  const events = arg("events", 2000);
  const drainers = arg("drainers", 2);
  const limit = arg("limit", 50);
  const latencyRuns = arg("latency", 200);
  const server = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const dbUrl = (() => {
    const u = new URL(server);
    u.pathname = `/${DB_NAME}`;
    return u.toString();
  })();

  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${DB_NAME}" with (force)`);
  await admin.unsafe(`create database "${DB_NAME}"`);
  const receiver = await startReceiver();
  // Restored at the end: `npm run bench` goes on to start app servers from this environment.
  const saved = Object.fromEntries(
    ["NODE_ENV", "LOG_LEVEL", "APP_SECRET", "WEBHOOK_ENDPOINTS"].map((k) => [k, process.env[k]]),
  );
  Object.assign(process.env, {
    NODE_ENV: "test",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    APP_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    WEBHOOK_ENDPOINTS: JSON.stringify([
      { id: "crm", url: receiver.url, secrets: [SECRET], allowPrivate: true },
    ]),
  });
  resetEnvCache();
  const handle = await openDatabase({ kind: "postgres", url: dbUrl, max: 20 });
  await handle.migrate();
  setDatabaseOverride(handle);
  const raw = postgres(dbUrl, { max: 20, onnotice: () => {} });
  const rows: OutboxBenchRow[] = [];
  try {
    // Outbox drain.
    const trader = await upsertTrader({ ctraderUserId: 1, tradingLogin: 2 }, "en");
    const kycCase = await ensureOpenCase(trader.id, "standard", "manual");
    const now = new Date();
    await handle.db.transaction(async (tx) => {
      for (let i = 0; i < events; i++) {
        const id = crypto.randomUUID();
        await insertOutboxEvent(tx, {
          id,
          type: "case.status_changed",
          caseId: kycCase.id,
          payload: { id, n: i, filler: "x".repeat(400) },
          destinations: ["webhook:crm"],
          now,
        });
      }
    });
    let started = performance.now();
    await Promise.all(
      Array.from({ length: drainers }, async () => {
        for (;;) if ((await drainOnce({ limit })).claimed === 0) break;
      }),
    );
    const outboxSeconds = (performance.now() - started) / 1000;
    const outboxRate = events / outboxSeconds;

    // Raw SKIP LOCKED loop over a plain table: same payloads, same receiver, same concurrency.
    await raw`create table raw_jobs (id bigserial primary key, payload jsonb not null,
              done boolean not null default false, locked_until timestamptz)`;
    await raw`create index raw_jobs_todo on raw_jobs (id) where not done`;
    await raw`insert into raw_jobs (payload)
              select jsonb_build_object('n', g, 'filler', repeat('x', 400)) from generate_series(1, ${events}) g`;
    started = performance.now();
    await Promise.all(
      Array.from({ length: drainers }, async () => {
        for (;;) {
          const jobs = await raw<{ id: string; payload: unknown }[]>`
            update raw_jobs set locked_until = now() + interval '60 seconds'
            where id in (select id from raw_jobs
                         where not done and (locked_until is null or locked_until < now())
                         order by id limit ${limit} for update skip locked)
            returning id, payload`;
          if (jobs.length === 0) break;
          await Promise.all(
            jobs.map(async (job) => {
              await post(receiver.url, JSON.stringify(job.payload));
              await raw`update raw_jobs set done = true, locked_until = null where id = ${job.id}`;
            }),
          );
        }
      }),
    );
    const rawSeconds = (performance.now() - started) / 1000;
    const rawRate = events / rawSeconds;
    const ratio = outboxRate / rawRate;
    rows.push(
      {
        metric: `outbox drain (${events} events, ${drainers} drainers × ${limit})`,
        value: `${outboxRate.toFixed(0)} events/s`,
        target: "",
        pass: null,
      },
      {
        metric: "raw SKIP LOCKED loop, same work unsigned",
        value: `${rawRate.toFixed(0)} events/s`,
        target: "",
        pass: null,
      },
      {
        metric: "outbox / raw",
        value: ratio.toFixed(2),
        target: `≥ ${RATIO_TARGET}`,
        pass: ratio >= RATIO_TARGET,
      },
    );

    // Commit-to-first-attempt latency.
    const measure = async (label: string, kick: (eventId: string) => void) => {
      const samples: number[] = [];
      for (let i = 0; i < latencyRuns; i++) {
        const t = await upsertTrader(
          { ctraderUserId: 1000 + samples.length + label.length * 10_000 },
          "en",
        );
        const c = await ensureOpenCase(t.id, "standard", "manual");
        const { eventId } = await changeCaseStatus({
          kycCase: c,
          event: "submit",
          data: SENT,
          actor: { type: "trader", id: t.id },
        });
        const committed = performance.now();
        kick(eventId);
        const deadline = committed + 10_000;
        while (!receiver.arrivals.has(eventId) && performance.now() < deadline)
          await new Promise((r) => setImmediate(r));
        const arrived = receiver.arrivals.get(eventId);
        if (arrived !== undefined) samples.push(arrived - committed);
      }
      samples.sort((a, b) => a - b);
      rows.push({
        metric: `commit → first attempt, ${label} (${samples.length}/${latencyRuns})`,
        value: `p50 ${pct(samples, 50).toFixed(1)} ms · p95 ${pct(samples, 95).toFixed(1)} ms`,
        target: "",
        pass: samples.length === latencyRuns ? null : false,
      });
    };
    await measure("deliverSoon (after())", (id) => deliverSoon(id));
    const stop = new AbortController();
    const worker = runWorker({ signal: stop.signal, pollMs: 250, limit });
    await measure("worker polling every 250 ms", () => {});
    stop.abort();
    await worker;
  } finally {
    setDatabaseOverride(undefined);
    await raw.end({ timeout: 5 });
    await handle.close();
    await receiver.close();
    await admin.unsafe(`drop database if exists "${DB_NAME}" with (force)`);
    await admin.end();
    const env = process.env as Record<string, string | undefined>;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    resetEnvCache();
  }
  return rows;
}

export function renderOutbox(rows: OutboxBenchRow[]): string {
  const all = [{ metric: "metric", value: "value", target: "target", pass: null }, ...rows];
  const w1 = Math.max(...all.map((r) => r.metric.length));
  const w2 = Math.max(...all.map((r) => r.value.length));
  const w3 = Math.max(...all.map((r) => r.target.length));
  return all
    .map((r, i) => {
      const verdict = i === 0 || r.pass === null ? "" : r.pass ? "PASS" : "FAIL";
      return `${r.metric.padEnd(w1)}  ${r.value.padEnd(w2)}  ${r.target.padEnd(w3)}  ${verdict}`.trimEnd();
    })
    .join("\n");
}

if (require.main === module) {
  benchOutbox()
    .then((rows) => {
      console.log(renderOutbox(rows));
      if (rows.some((r) => r.pass === false)) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
