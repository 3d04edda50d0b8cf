/**
 * `npm run bench:queue` (or `npx tsx tests/bench/queue.ts`)
 *
 * The review queue over many cases (issue 18): a filtered, sorted page must answer in ≤ 100 ms
 * p95 at the database. Generates `--cases=50000` traders and cases in bulk (a bench's data, not
 * a test's: no flow runs here) in database `kyc_bench_queue` on 127.0.0.1:5432 (created and
 * dropped; `BENCH_PG_URL` overrides the server), ANALYZEs, then runs the exact query the console
 * runs (EXPLAIN ANALYZE: the execution time PostgreSQL reports) `--runs=60` times per filter.
 */
import postgres from "postgres";
import { openDatabase, setDatabaseOverride } from "../../lib/db/client";
import { explainQueue } from "../../lib/db/queries/queue";
import { resetEnvCache } from "../../lib/env";
import { parseQueueParams, queueFilterOf, QUEUE_PAGE_SIZE } from "../../lib/review/queue";
import { createStaffAccount } from "../../lib/staff/accounts";

const DB_NAME = "kyc_bench_queue";
export const P95_TARGET_MS = 100;

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export type QueueBenchRow = { filter: string; p50: number; p95: number; pass: boolean };

const FILTERS: [string, Record<string, string>][] = [
  ["to review, oldest first", {}],
  ["newest first", { sort: "newest" }],
  ["unassigned", { assignee: "unassigned" }],
  ["mine", { assignee: "me" }],
  ["risk high + level enhanced", { risk: "high", level: "enhanced" }],
  ["trigger first deposit", { trigger: "first_deposit" }],
  ["SLA overdue", { overdue: "1" }],
  ["checks failed", { checksFailed: "1" }],
  ["decided, page 40", { queue: "decided", page: "40" }],
  ["name search (2 words)", { q: "ivan petrov" }],
  ["document number", { q: "XK4471920" }],
  ["e-mail", { q: "trader25000@example.com" }],
];

export async function runQueueBench(): Promise<QueueBenchRow[]> {
  const cases = arg("cases", 50_000);
  const runs = arg("runs", 60);
  const server = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const u = new URL(server);
  u.pathname = `/${DB_NAME}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${DB_NAME}" with (force)`);
  await admin.unsafe(`create database "${DB_NAME}"`);
  const saved = { NODE_ENV: process.env.NODE_ENV, APP_SECRET: process.env.APP_SECRET };
  Object.assign(process.env, {
    NODE_ENV: "test",
    APP_SECRET: "bench-secret-bench-secret-bench-secret-0123",
  });
  resetEnvCache();
  const handle = await openDatabase({ kind: "postgres", url: u.toString(), max: 4 });
  await handle.migrate();
  setDatabaseOverride(handle);
  const raw = postgres(u.toString(), { max: 1, onnotice: () => {} });
  const rows: QueueBenchRow[] = [];
  try {
    const staff = await createStaffAccount({
      email: "bench@broker.example",
      role: "reviewer",
      password: "bench password for the queue",
    });
    await raw.unsafe(`
      insert into traders (ctrader_user_id, email, trading_login)
        select g, 'trader' || g || '@example.com', 7000000 + g from generate_series(1, ${cases}) g;
      insert into kyc_cases (trader_id, level, status, trigger, opened_at, updated_at, queued_at,
          assigned_to, risk_level, round, search_round)
        select t.id,
          (array['basic','standard','enhanced'])[1 + g % 3],
          (array['submitted','in_review','resubmitted','action_required','approved','rejected',
                 'draft','in_review']::case_status[])[1 + g % 8],
          (array['first_deposit','account_creation','compliance_notice','manual']::case_trigger[])[1 + (g / 7) % 4],
          now() - (g % 720) * interval '1 hour', now(), now() - (g % 720) * interval '1 hour',
          case when g % 5 = 0 then '${staff.id}'::uuid end,
          (array['low','medium','high'])[1 + (g / 3) % 3], 1, 1
        from traders t, lateral (select t.ctrader_user_id::int as g) x;
      insert into case_search_terms (case_id, kind, term_hash)
        select c.id, k.kind, md5(k.kind || c.id::text || k.n)
        from kyc_cases c, (values ('name', 1), ('name', 2), ('document_number', 3)) k(kind, n);
      analyze;
    `);
    const now = new Date();
    for (const [name, query] of FILTERS) {
      const filter = {
        ...queueFilterOf(staff, parseQueueParams(query), now),
        offset: (parseQueueParams(query).page - 1) * QUEUE_PAGE_SIZE,
        limit: QUEUE_PAGE_SIZE + 1,
      };
      const times: number[] = [];
      for (let i = 0; i < runs; i++)
        times.push((await explainQueue(filter, { analyze: true })).executionMs ?? NaN);
      times.sort((a, b) => a - b);
      const p95 = pct(times, 95);
      rows.push({ filter: name, p50: pct(times, 50), p95, pass: p95 <= P95_TARGET_MS });
    }
  } finally {
    setDatabaseOverride(undefined);
    await raw.end({ timeout: 5 });
    await handle.close();
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

export function renderQueueBench(rows: QueueBenchRow[]): string {
  const lines = [
    `| filter | p50 ms | p95 ms | ≤ ${P95_TARGET_MS} ms |`,
    "| --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.filter} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.pass ? "yes" : "NO"} |`,
    ),
  ];
  return lines.join("\n");
}

if (require.main === module) {
  runQueueBench()
    .then((rows) => {
      console.log(renderQueueBench(rows));
      process.exit(rows.every((r) => r.pass) ? 0 : 1);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
