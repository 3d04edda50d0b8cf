/**
 * `npm run bench:lists [-- --list=PATH --traders=N]`
 *
 * The scheduled list import (lib/jobs/lists-import.ts), the step of the daily cron route that
 * may not fit Vercel's 60 s: the full OFAC SDN list (../shared/data/sanctions, ~15k entries,
 * 3.9 MB; absent: the bench says so) imported into an empty database, the re-screening of
 * `--traders=2000` approved traders it triggers, and the next run with the list unchanged.
 *
 * Database `kyc_bench_lists` on 127.0.0.1:5432 (created and dropped; `BENCH_PG_URL` overrides
 * the server). The approved traders are generated in bulk (a bench's data, not a test's: no flow
 * runs here): a trader, an approved case and its personal step sealed under the case key, which
 * is what the re-screening reads.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDatabase, setDatabaseOverride } from "../../lib/db/client";
import { rescreenTraders } from "../../lib/checks/rescreen";
import { resetEnvCache } from "../../lib/env";
import { runScheduledListImport } from "../../lib/jobs/lists-import";
import { caseCipher } from "../../lib/security/case-keys";
import { defaultListPath } from "./screening";

const DB_NAME = "kyc_bench_lists";
/** Vercel's limit for the cron route (app/api/cron/housekeeping maxDuration). */
export const CRON_LIMIT_MS = 60_000;

export type ListsBenchRow = { step: string; ms: number; note: string };

export async function runListsBench(options: { list: string; traders: number }) {
  if (!existsSync(options.list)) return { skipped: `no list at ${options.list}`, rows: [] };
  const server = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const u = new URL(server);
  u.pathname = `/${DB_NAME}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${DB_NAME}" with (force)`);
  await admin.unsafe(`create database "${DB_NAME}"`);
  Object.assign(process.env, {
    NODE_ENV: "test",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    APP_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    SANCTIONS_LIST_PATH: options.list,
    LISTS_IMPORT_HOURS: "24",
  });
  resetEnvCache();
  const handle = await openDatabase({ kind: "postgres", url: u.toString(), max: 4 });
  await handle.migrate();
  setDatabaseOverride(handle);
  const raw = postgres(u.toString(), { max: 1, onnotice: () => {} });
  const rows: ListsBenchRow[] = [];
  try {
    const n = options.traders;
    const cases = await raw<{ id: string; g: number }[]>`
      with t as (
        insert into traders (ctrader_user_id, email, trading_login)
          select g, 'trader' || g || '@example.com', 7000000 + g from generate_series(1, ${n}) g
          returning id, ctrader_user_id as g)
      insert into kyc_cases (trader_id, level, status, approved_level)
        select id, 'standard', 'approved', 'standard' from t
      returning id, (select g from t where t.id = trader_id)::int as g`;
    for (const c of cases) {
      const values = {
        givenNames: `Given${c.g}`,
        surnames: `Surname${c.g}`,
        dateOfBirth: "1980-01-01",
        nationalities: ["DE"],
      };
      const payload = (await caseCipher(c.id)).encryptJson({ values, data: null });
      await raw`insert into case_drafts (case_id, step, payload, completed_at, updated_at)
        values (${c.id}, 'personal', ${payload}, now(), now())`;
    }

    let at = new Date();
    const first = await timed(() => runScheduledListImport(at));
    const report = first.value;
    if (!report.ran) throw new Error("the scheduled import did not run");
    const [entries] = await raw<{ n: number }[]>`select count(*)::int as n from screening_entries`;
    rows.push({
      step: "first import + re-screening",
      ms: first.ms,
      note: `${entries?.n ?? 0} entries, ${report.rescreened} traders re-screened`,
    });

    // A run screens only traders not yet screened against the current lists: forget the first
    // run's results so this one screens everyone again.
    await raw`delete from case_checks where run_id in (select id from check_runs where reason = 'rescreen')`;
    await raw`delete from check_runs where reason = 'rescreen'`;
    const rescreen = await timed(() => rescreenTraders(at));
    rows.push({
      step: "re-screening alone",
      ms: rescreen.ms,
      note: `${(rescreen.ms / Math.max(1, rescreen.value.screened)).toFixed(1)} ms per trader`,
    });

    at = new Date(at.getTime() + 25 * 3_600_000);
    const again = await timed(() => runScheduledListImport(at));
    rows.push({ step: "next run, list unchanged", ms: again.ms, note: "hash compared only" });
    return { rows };
  } finally {
    setDatabaseOverride(undefined);
    await handle.close();
    await raw.end();
    await admin.unsafe(`drop database if exists "${DB_NAME}" with (force)`);
    await admin.end();
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { list: { type: "string" }, traders: { type: "string" } },
    strict: false,
  });
  const list = typeof values.list === "string" ? values.list : defaultListPath();
  const traders = Number(values.traders ?? 2000);
  runListsBench({ list, traders })
    .then((result) => {
      if ("skipped" in result && result.skipped) {
        console.log(`lists bench skipped: ${result.skipped}`);
        return;
      }
      for (const row of result.rows)
        console.log(
          `${row.step.padEnd(30)} ${(row.ms / 1000).toFixed(1).padStart(7)} s  ${row.note}`,
        );
      console.log(`cron route limit: ${CRON_LIMIT_MS / 1000} s`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
