/**
 * `npm run bench:queue` (or `npx tsx tests/bench/queue.ts`)
 *
 * The review queue over many cases (issue 18): a filtered, sorted page must answer in ≤ 100 ms
 * p95 at the database. Generates `--cases=50000` traders and cases in bulk (a bench's data, not
 * a test's: no flow runs here) in database `kyc_bench_queue` on 127.0.0.1:5432 (created and
 * dropped; `BENCH_PG_URL` overrides the server, `BENCH_QUEUE_DB` the database's name so that two
 * checkouts on one server do not drop each other's). Each case then gets the rows its history
 * would leave (seedDashboard: events, decisions, a check run with six checks and the case_risk
 * row it sets, failed checks, escalations, monitoring and periodic review tasks, outbox events
 * and deliveries), written in bulk with triggers off (session_replication_role: the four-eyes
 * triggers check flows, and no flow runs here), so that every filter the queue offers has rows to
 * find. Then it runs the exact query the console runs (EXPLAIN ANALYZE: the execution time
 * PostgreSQL reports) `--runs=60` times per filter, search and deep page.
 *
 * The dashboard over the same cases: the reads behind each figure (lib/db/queries/dashboard.ts,
 * the default 30-day period that holds every generated case) are timed in the process, rows
 * received included, since the page waits for exactly that; and loadDashboard whole (the reads
 * in parallel, plus the arithmetic).
 * `--dashboard-runs=20` each. `--keep` leaves the database in place afterwards, to EXPLAIN a read
 * by hand (the next run drops it).
 */
import postgres from "postgres";
import { openDatabase, setDatabaseOverride } from "../../lib/db/client";
import {
  countCasesOpenedIn,
  countDecisionsIn,
  countJudgedHitsIn,
  countOpenMonitoringTasks,
  countOutcomesIn,
  countSubmissionScreeningsIn,
  countUndeliveredDeliveries,
  countWaitingByTime,
  listScreeningListVersions,
} from "../../lib/db/queries/dashboard";
import { explainQueue, listQueue } from "../../lib/db/queries/queue";
import { resetEnvCache } from "../../lib/env";
import { loadDashboard, parseDashboardPeriod, waitingBuckets } from "../../lib/review/dashboard";
import { parseQueueParams, queueFilterOf, QUEUE_PAGE_SIZE } from "../../lib/review/queue";
import { parseSearch } from "../../lib/review/search";
import { createStaffAccount } from "../../lib/staff/accounts";

const DEFAULT_DB_NAME = "kyc_bench_queue";

/** The bench's own database: created and dropped, so a name that cannot quote into SQL is refused. */
function benchDatabaseName(): string {
  const name = process.env.BENCH_QUEUE_DB || DEFAULT_DB_NAME;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`BENCH_QUEUE_DB must be a plain database name (a-z, 0-9, _), got "${name}"`);
  return name;
}
export const P95_TARGET_MS = 100;
/** One dashboard figure's reads, rows received, at 50,000 cases; the whole page below. */
export const FIGURE_P95_TARGET_MS = 100;
export const DASHBOARD_P95_TARGET_MS = 300;

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export type QueueBenchRow = { filter: string; p50: number; p95: number; pass: boolean };
export type DashboardBenchRow = {
  figure: string;
  rows: number;
  p50: number;
  p95: number;
  target: number;
  pass: boolean;
};

/**
 * Every filter, search and sort the queue offers, as an officer's URL. `{staff}` and `{caseId}`
 * are filled in from the generated data.
 */
const FILTERS: [string, Record<string, string>][] = [
  ["to review, oldest first (SLA due soonest)", {}],
  ["newest first", { sort: "newest" }],
  ["highest risk first", { sort: "risk" }],
  ["highest risk first, mine", { sort: "risk", assignee: "me" }],
  ["highest risk first, page 500", { sort: "risk", page: "500" }],
  ["recently updated first", { sort: "updated" }],
  ["recently updated first, decided", { queue: "decided", sort: "updated" }],
  ["recently updated first, page 500", { sort: "updated", page: "500" }],
  ["status in review", { status: "in_review" }],
  ["level enhanced", { level: "enhanced" }],
  ["risk high", { risk: "high" }],
  ["risk high + level enhanced", { risk: "high", level: "enhanced" }],
  ["trigger first deposit", { trigger: "first_deposit" }],
  ["escalated", { escalated: "1" }],
  ["monitoring hits (tab)", { queue: "monitoring" }],
  ["monitoring hit, to review", { monitoring: "1" }],
  ["checks failed", { checksFailed: "1" }],
  ["SLA overdue", { overdue: "1" }],
  ["unassigned", { assignee: "unassigned" }],
  ["mine", { assignee: "me" }],
  ["assignee: a colleague", { assignee: "{colleague}" }],
  ["waiting for the trader", { queue: "waiting" }],
  ["to review, page 100", { page: "100" }],
  ["to review, page 500 (the last)", { page: "500" }],
  ["decided, page 40", { queue: "decided", page: "40" }],
  ["decided, page 250 (the last)", { queue: "decided", page: "250" }],
  // The pager's links: a keyset after the last case of page 499 (`{deep}`), as deep as it goes.
  ["to review, the last page by keyset", { after: "{deep}" }],
  ["highest risk first, the last page by keyset", { sort: "risk", after: "{deep}" }],
  ["recently updated first, the last page by keyset", { sort: "updated", after: "{deep}" }],
  ["decided, the last page by keyset", { queue: "decided", after: "{deep}" }],
  ["to review, page 499 walking back by keyset", { before: "{deep}" }],
  ["name search (2 words, 25 cases)", { q: "ivan petrov" }],
  ["document number", { q: "XK4471920" }],
  ["e-mail", { q: "trader25000@example.com" }],
  ["cTrader user id", { q: "25000" }],
  ["trading login", { q: "7025000" }],
  ["case id", { q: "{caseId}" }],
];

/**
 * What 50,000 cases' histories leave behind, for the queue's filters and the dashboard's reads:
 * a submit event per case past its draft, a decision event per decided case (a quarter of the
 * approvals by the checks, the rest by one of the staff), a staff decision row for each of those,
 * screening verdicts on 2 % of the cases, a check run per submission with six checks (screening
 * with a hit on 5 %, a failed check on 5 %, a warning on 10 %) and the case_risk row it sets (the
 * case's risk; 1 % escalated by a likely sanctions match), an outbox event per event with two
 * deliveries (1 % still pending, some failing, 0.2 % dead), an open monitoring hit on 2 % of the
 * approved cases and a closed one on another 2 %, an open periodic review on 1 %, and one list.
 * `r` (the trader's number / 8, mod 100) picks these independently of the status (number mod 8).
 */
async function seedDashboard(raw: postgres.Sql, staffIds: string[]) {
  const staff = `array[${staffIds.map((id) => `'${id}'::uuid`).join(", ")}]`;
  const hit = JSON.stringify({
    source: "ofac-sdn",
    entryId: "36",
    listedName: "AEROCARIBBEAN AIRLINES",
    type: "entity",
    programs: ["CUBA"],
    score: 0.86,
    level: "review",
    explanation: {
      matchedName: "AEROCARIBBEAN AIRLINES",
      matchedAlias: false,
      nameScore: 0.86,
      pairs: [{ query: "aero", listed: "aerocaribbean", score: 0.86 }],
      unmatchedQuery: [],
      unmatchedListed: ["airlines"],
      dateOfBirth: { result: "unknown", listed: [] },
      nationality: { result: "unknown", listed: [] },
      adjustment: 0,
    },
  });
  const lists = `"lists":{"ofac-sdn":"2026-11-01"},"thresholds":{"review":0.8,"likely":0.9}`;
  await raw.begin(async (tx) => {
    await tx.unsafe(`set local session_replication_role = replica`);
    await tx.unsafe(`
      create temp table g on commit drop as
        select c.id, c.trader_id, c.status, c.queued_at, c.risk_level,
          t.ctrader_user_id::int as n, (t.ctrader_user_id::int / 8) % 100 as r
        from kyc_cases c join traders t on t.id = c.trader_id;
      insert into case_events (case_id, occurred_at, event, from_status, to_status, actor_type, actor_id)
        select id, queued_at, 'submit', 'draft', 'submitted', 'trader', trader_id::text
        from g where status <> 'draft';
      create temp table d on commit drop as
        select g.*, queued_at + interval '3 hours' as at,
          (status = 'approved' and n % 4 = 0) as auto,
          (${staff})[1 + n % ${staffIds.length}] as staff_id,
          case status when 'approved' then 'approve' when 'rejected' then 'reject'
            else 'request_action' end as decision,
          case when status = 'approved' then null
            else (array['document_unreadable','fraud_suspected','address_mismatch',
                        'document_expired','sanctions_match','underage'])[1 + n % 6] end as reason
        from g where status in ('approved', 'rejected', 'action_required');
      insert into case_events (case_id, occurred_at, event, from_status, to_status, actor_type,
          actor_id, data)
        select id, at, decision, 'in_review', status,
          case when auto then 'system' else 'staff' end,
          case when auto then 'checks' else staff_id::text end,
          case when reason is null then '{}'::jsonb else jsonb_build_object('reasonCode', reason) end
        from d;
      insert into case_decisions (case_id, staff_id, decision, reason_code, created_at)
        select id, staff_id, decision, reason, at from d where not auto;
      insert into case_decisions (case_id, staff_id, decision, reason_code, data, created_at)
        select id, (${staff})[1 + (n + 1) % ${staffIds.length}],
          case when n % 3 = 0 then 'screening_confirmed' else 'screening_false_positive' end,
          null, jsonb_build_object('hitKey', 'ofac-sdn:36'), queued_at + interval '2 hours'
        from g where n % 50 = 0 and status <> 'draft';
      create temp table r on commit drop as
        select gen_random_uuid() as run_id, g.* from g where status <> 'draft';
      insert into check_runs (id, case_id, trader_id, reason, score, level, route, round,
          screening_hits, created_at)
        select run_id, id, trader_id, 'submission', n % 40, risk_level::risk_level,
          case when r = 7 then 'escalate' when status = 'approved' and n % 4 = 0
            then 'auto_approve' else 'review' end::check_route, 1,
          case when n % 20 = 0 then 1 else 0 end, queued_at + interval '1 minute'
        from r;
      insert into case_risk (case_id, run_id, score, level, route, escalated, computed_at)
        select id, run_id, n % 40, risk_level::risk_level,
          case when r = 7 then 'escalate' when status = 'approved' and n % 4 = 0
            then 'auto_approve' else 'review' end::check_route,
          r = 7, queued_at + interval '1 minute'
        from r;
      insert into case_checks (run_id, case_id, "check", outcome, evidence, risk_points, created_at)
        select run_id, id, k.name,
          case when k.name = 'duplicate_image' and r % 20 = 3 then 'fail'
            when k.name = 'document_quality' and r % 10 = 1 then 'warn'
            else 'pass' end::check_outcome,
          case when k.name <> 'screening' then '{}'::jsonb
            when n % 20 = 0 then '{${lists},"hits":[${hit}]}'::jsonb
            else '{${lists},"hits":[]}'::jsonb end,
          0, queued_at + interval '1 minute'
        from r, (values ('screening'), ('document_quality'), ('duplicate_document_number'),
          ('duplicate_image'), ('age'), ('country')) k(name);
      create temp table o on commit drop as
        select gen_random_uuid() as event_id, e.case_id, e.event, e.occurred_at, c.n
        from case_events e join g c on c.id = e.case_id;
      insert into outbox_events (id, type, case_id, payload, created_at)
        select event_id, 'case.status_changed', case_id, jsonb_build_object('event', event),
          occurred_at
        from o;
      insert into deliveries (event_id, destination, status, total_attempts, last_error,
          next_attempt_at, delivered_at, created_at)
        select event_id, dest,
          (case when n % 500 = 0 then 'dead' when n % 100 = 0 then 'pending'
            else 'delivered' end)::delivery_status,
          case when n % 100 = 0 then 1 + n % 7 else 1 end,
          case when n % 200 = 0 then 'HTTP 503' end,
          occurred_at + interval '1 minute',
          case when n % 100 <> 0 then occurred_at + interval '5 seconds' end,
          occurred_at
        from o, (values ('crm'), ('ctrader')) x(dest);
      insert into review_tasks (case_id, kind, opened_at, closed_at, resolution)
        select id, 'monitoring_hit', queued_at + interval '1 day',
          case when r % 50 = 12 then queued_at + interval '2 days' end,
          case when r % 50 = 12 then 'cleared' end
        from g where status = 'approved' and r % 50 in (4, 12);
      insert into review_tasks (case_id, kind, opened_at)
        select id, 'periodic_review', queued_at + interval '1 day'
        from g where status = 'approved' and r = 30;
      insert into screening_lists (source, version, format, imported_at, entry_count)
        values ('ofac-sdn', '2026-11-01', 'ofac-csv', now() - interval '2 days', 18000);
    `);
  });
  // As autovacuum leaves a table: without the visibility map set, freshly written rows make
  // PostgreSQL plan a sequential scan where production reads an index alone.
  await raw.unsafe("vacuum analyze");
}

const REVIEW_HOURS = 24;
const rowsOf = (read: Promise<unknown[]>) => read.then((rows) => rows.length);
const one = (read: Promise<unknown>) => read.then(() => 1);

/** Each figure's reads, as loadDashboard makes them (counts in SQL); the answer is the rows received. */
const FIGURES: [string, (period: { from: Date; until: Date }, now: Date) => Promise<number>][] = [
  ["cases by status and level", (p) => rowsOf(countCasesOpenedIn(p))],
  [
    "waiting time, SLA breaches",
    async (_, now) => {
      const bounds = waitingBuckets(REVIEW_HOURS)
        .slice(1)
        .map((b) => b.min);
      return (await countWaitingByTime(now, bounds, REVIEW_HOURS)).buckets.length;
    },
  ],
  ["decisions per reviewer per day", (p) => rowsOf(countDecisionsIn(p))],
  ["approvals, rejections, reasons", (p) => rowsOf(countOutcomesIn(p))],
  ["screening hit rate", (p) => one(countSubmissionScreeningsIn(p))],
  ["screening false-positive rate", (p) => one(countJudgedHitsIn(p))],
  ["monitoring hits open", () => one(countOpenMonitoringTasks())],
  ["delivery backlog, dead", () => one(countUndeliveredDeliveries())],
  ["list age", () => rowsOf(listScreeningListVersions())],
];

async function timed(runs: number, work: () => Promise<number>) {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    rows = await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { rows, p50: pct(times, 50), p95: pct(times, 95) };
}

export async function runQueueBench(): Promise<{
  queue: QueueBenchRow[];
  dashboard: DashboardBenchRow[];
  /** Every index a queue plan named: one no plan names is a candidate to drop. */
  indexes: string[];
}> {
  const cases = arg("cases", 50_000);
  const runs = arg("runs", 60);
  const dashboardRuns = arg("dashboard-runs", 20);
  const server = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const DB_NAME = benchDatabaseName();
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
  const dashboard: DashboardBenchRow[] = [];
  /** Every index a queue plan names: an index no plan names is a candidate to drop. */
  const indexesUsed = new Set<string>();
  try {
    const staff = await createStaffAccount({
      email: "bench@broker.example",
      role: "reviewer",
      password: "bench password for the queue",
    });
    const colleagues = [staff.id];
    for (const n of [1, 2, 3, 4])
      colleagues.push(
        (
          await createStaffAccount({
            email: `bench${n}@broker.example`,
            role: n === 4 ? "approver" : "reviewer",
            password: "bench password for the dashboard",
          })
        ).id,
      );
    const colleague = colleagues[1]!;
    // Blind-index terms that match: "ivan petrov" names 25 cases, one document number one case;
    // every other case has three terms of its own.
    const ivan = parseSearch("ivan petrov")!.nameHashes;
    const document = parseSearch("XK4471920")!.documentHash!;
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
          now() - (g % 720) * interval '1 hour',
          now() - ((g * 7919) % 720) * interval '1 hour' - interval '5 minutes',
          now() - (g % 720) * interval '1 hour',
          case g % 5 when 0 then '${staff.id}'::uuid when 1 then '${colleague}'::uuid end,
          case when g % 8 = 6 then null
            when (g / 8) % 100 < 5 or (g / 8) % 100 = 7 then 'high'
            when (g / 8) % 100 < 30 then 'medium' else 'low' end,
          1, 1
        from traders t, lateral (select t.ctrader_user_id::int as g) x;
      insert into case_search_terms (case_id, kind, term_hash)
        select c.id, k.kind, md5(k.kind || c.id::text || k.n)
        from kyc_cases c, (values ('name', 1), ('name', 2), ('document_number', 3)) k(kind, n);
      insert into case_search_terms (case_id, kind, term_hash)
        select c.id, 'name', h
        from kyc_cases c join traders t on t.id = c.trader_id,
          unnest(array[${ivan.map((h) => `'${h}'`).join(", ")}]) h
        where t.ctrader_user_id::int % 2000 = 17;
      insert into case_search_terms (case_id, kind, term_hash)
        select c.id, 'document_number', '${document}'
        from kyc_cases c join traders t on t.id = c.trader_id where t.ctrader_user_id = 4242;
    `);
    await seedDashboard(raw, colleagues);
    const now = new Date();
    const [{ id: someCase } = { id: "" }] = await raw<{ id: string }[]>`
      select c.id from kyc_cases c join traders t on t.id = c.trader_id
      where t.ctrader_user_id = 24999`;
    for (const [name, template] of FILTERS) {
      const query = Object.fromEntries(
        Object.entries(template).map(([k, v]) => [
          k,
          v.replace("{colleague}", colleague).replace("{caseId}", someCase),
        ]),
      );
      const params = parseQueueParams(query);
      const base = { ...queueFilterOf(staff, params, now), limit: QUEUE_PAGE_SIZE + 1 };
      // The case the keyset rows page from: the last one a page before the end of the list.
      if (query.after === "{deep}" || query.before === "{deep}") {
        const [total] = await raw<{ n: number }[]>`
          select count(*)::int n from kyc_cases where status::text = any(${base.statuses})`;
        const at = Math.max(0, (total?.n ?? 0) - QUEUE_PAGE_SIZE - 1);
        const [deep] = (await listQueue({ ...base, offset: at, limit: 1 })).map((r) => r.caseId);
        if (!deep) throw new Error(`no case to page from for "${name}"`);
        params.after = query.after ? deep : undefined;
        params.before = query.before ? deep : undefined;
      }
      const seek = params.after
        ? { caseId: params.after, direction: "after" as const }
        : params.before
          ? { caseId: params.before, direction: "before" as const }
          : undefined;
      const filter = {
        ...base,
        offset: seek ? 0 : (params.page - 1) * QUEUE_PAGE_SIZE,
        seek,
      };
      const { plan } = await explainQueue(filter);
      for (const index of plan.match(/"Index Name":"[a-z_]+"/g) ?? [])
        indexesUsed.add(index.slice(14, -1));
      const times: number[] = [];
      for (let i = 0; i < runs; i++)
        times.push((await explainQueue(filter, { analyze: true })).executionMs ?? NaN);
      times.sort((a, b) => a - b);
      const p95 = pct(times, 95);
      rows.push({ filter: name, p50: pct(times, 50), p95, pass: p95 <= P95_TARGET_MS });
    }

    const period = parseDashboardPeriod({}, now);
    for (const [figure, read] of FIGURES) {
      const t = await timed(dashboardRuns, () => read(period, now));
      dashboard.push({
        figure,
        ...t,
        target: FIGURE_P95_TARGET_MS,
        pass: t.p95 <= FIGURE_P95_TARGET_MS,
      });
    }
    const page = await timed(dashboardRuns, async () => {
      const figures = await loadDashboard({ role: "approver" }, period, REVIEW_HOURS, now);
      return figures.cases.total;
    });
    dashboard.push({
      figure: "**the whole dashboard** (loadDashboard)",
      ...page,
      target: DASHBOARD_P95_TARGET_MS,
      pass: page.p95 <= DASHBOARD_P95_TARGET_MS,
    });
  } finally {
    setDatabaseOverride(undefined);
    await raw.end({ timeout: 5 });
    await handle.close();
    if (!process.argv.includes("--keep"))
      await admin.unsafe(`drop database if exists "${DB_NAME}" with (force)`);
    await admin.end();
    const env = process.env as Record<string, string | undefined>;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    resetEnvCache();
  }
  return { queue: rows, dashboard, indexes: [...indexesUsed].sort() };
}

export function renderDashboardBench(rows: DashboardBenchRow[]): string {
  return [
    "| figure | rows read | p50 ms | p95 ms | target ms | met |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.figure} | ${r.rows} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.target} | ${r.pass ? "yes" : "NO"} |`,
    ),
  ].join("\n");
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
    .then(({ queue, dashboard, indexes }) => {
      console.log(renderQueueBench(queue));
      console.log();
      console.log(`Indexes the queue's plans use: ${indexes.join(", ")}`);
      console.log();
      console.log(renderDashboardBench(dashboard));
      process.exit([...queue, ...dashboard].every((r) => r.pass) ? 0 : 1);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
