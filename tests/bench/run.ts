/**
 * `npm run bench [-- --build] [-- --requests=N --rounds=N --lighthouse-runs=N --timeout=S]`
 *
 * Measures the one-time token exchange (GET /inapp/kyc?token=… → 303 + session cookie) against
 * a floor (a bare route handler doing one INSERT) on a production build talking to PostgreSQL
 * and to a local cTrader stub, and the first-load JavaScript of /inapp/kyc. Floor and exchange
 * rounds alternate and the best of each is compared, so a burst of background noise hurts one
 * round rather than one scenario. Then Lighthouse (mobile, simulated slow 4G) loads the two
 * trader screens with a live session (lighthouse.ts; `--lighthouse-runs=0` skips it).
 *
 * Prints a table, PASS/FAIL per target and writes bench-results/latest.json; exits 1 if a target
 * fails or the run could not finish. Everything it starts is stopped at the end, on error, on
 * Ctrl-C and on the overall timeout.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  buildIfNeeded,
  ensureDatabase,
  freePort,
  startAppServer,
  waitForHealth,
  type AppServer,
} from "./app-server";
import { measureFirstLoadJs } from "./bundle";
import { processGroupCpuMs } from "./cpu";
import { runLighthouse, type AuditedScreen } from "./lighthouse";
import { startCtraderStub, type CtraderStub } from "./ctrader-stub";
import {
  exchangeScenario,
  floorScenario,
  openSession,
  pageFloorScenario,
  runLoad,
  statusScenario,
  type RoundResult,
  type Scenario,
} from "./load";
import type { ManagedProcess } from "./processes";
import {
  bestRound,
  evaluate,
  machine,
  redactUrl,
  render,
  writeJson,
  type BenchResults,
} from "./report";

const CONCURRENCY = 50;
const WARMUP_REQUESTS = 200;
const DEFAULT_REQUESTS = 2000;
const DEFAULT_ROUNDS = 2;
const DISTINCT_TRADERS = 1000;
const HEALTH_TIMEOUT_MS = 60_000;
const DEFAULT_TIMEOUT_S = 300;
const MANAGER_TOKEN = "bench-manager";
const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kyc_bench";
const ROUTE = "/inapp/kyc";
/** Median of 3 per screen: one Lighthouse run takes a few seconds here. */
const DEFAULT_LIGHTHOUSE_RUNS = 3;
/** The trader's screens, each with an element only the real screen (not "expired") renders. */
const LIGHTHOUSE_SCREENS: AuditedScreen[] = [
  { path: "/inapp/kyc", marker: '[data-testid="progress"]' },
  { path: "/inapp/kyc/status", marker: '[data-testid="case-status"]' },
];

function positiveInt(
  name: string,
  raw: string | undefined,
  fallback: number,
  max: number,
  min = 1,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}

function options() {
  const { values } = parseArgs({
    options: {
      build: { type: "boolean", default: false },
      requests: { type: "string" },
      rounds: { type: "string" },
      "lighthouse-runs": { type: "string" },
      timeout: { type: "string" },
    },
    strict: true,
  });
  return {
    forceBuild: values.build === true,
    requests: positiveInt("requests", values.requests, DEFAULT_REQUESTS, 100_000),
    rounds: positiveInt("rounds", values.rounds, DEFAULT_ROUNDS, 10),
    lighthouseRuns: positiveInt(
      "lighthouse-runs",
      values["lighthouse-runs"],
      DEFAULT_LIGHTHOUSE_RUNS,
      9,
      0,
    ),
    timeoutMs: positiveInt("timeout", values.timeout, DEFAULT_TIMEOUT_S, 3600) * 1000,
  };
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const progress = (line: string) => console.log(`· ${line}`);

function summary(round: RoundResult): string {
  const cpu =
    round.appCpuMsPerRequest === null
      ? ""
      : `, app CPU ${round.appCpuMsPerRequest.toFixed(2)} ms/req`;
  return `${round.requests} requests, ${round.errors} errors, ${round.rps.toFixed(1)} req/s, p95 ${round.p95Ms.toFixed(1)} ms${cpu}`;
}

async function main(): Promise<number> {
  const opts = options();
  // npm runs scripts from the package root; the paths below (.next/, bench-results/) hang off it.
  const root = process.cwd();
  if (!existsSync(path.join(root, "next.config.ts"))) {
    throw new Error(`run from the repository root (npm run bench), not ${root}`);
  }
  const databaseUrl = process.env.BENCH_DATABASE_URL || DEFAULT_DATABASE_URL;

  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    machine: machine(),
    loadAverage: { start: os.loadavg(), end: null },
    config: {
      concurrency: CONCURRENCY,
      warmupRequests: WARMUP_REQUESTS,
      requestsPerRound: opts.requests,
      roundsPerScenario: opts.rounds,
      distinctTraders: DISTINCT_TRADERS,
      databaseUrl: redactUrl(databaseUrl),
      lighthouseRunsPerScreen: opts.lighthouseRuns,
    },
    build: null,
    database: null,
    serverStartSeconds: null,
    warmup: [],
    rounds: [],
    best: { floor: null, exchange: null, exchangeVsFloor: null },
    firstLoadJs: null,
    lighthouse: null,
    stub: null,
    serverLog: null,
    failures: [],
    checks: [],
    pass: false,
  };

  // Aborted on timeout or Ctrl-C: in-flight requests are cancelled and no new phase starts.
  const stop = new AbortController();
  let build: ManagedProcess | undefined;
  let chromium: ManagedProcess | undefined;
  let stub: CtraderStub | undefined;
  let server: AppServer | undefined;

  // Stops what was started, then reports. Runs once, whichever of the normal end, the timeout
  // or a signal gets here first.
  let ending: Promise<number> | undefined;
  let abortExitCode: number | undefined;
  const end = () =>
    (ending ??= (async () => {
      const stopping = performance.now();
      await Promise.allSettled([build?.stop(), chromium?.stop(), server?.process.stop()]);
      if (server)
        progress(`server stopped in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
      // The stub last: requests still in the server when it stopped must not fail against it.
      await stub?.close().catch(() => {});
      if (server) results.serverLog = server.log.toJSON();
      if (stub) results.stub = { ...stub.stats };
      results.finishedAt = new Date().toISOString();
      results.loadAverage.end = os.loadavg();
      results.checks = evaluate(results);
      results.pass = results.checks.every((c) => c.pass);
      console.log(`\n${render(results)}`);
      try {
        console.log(`\nresults written to ${writeJson(root, results)}`);
      } catch (error) {
        console.error(`could not write bench-results/latest.json: ${errorText(error)}`);
        return 1;
      }
      return results.pass ? 0 : 1;
    })());

  const abort = (reason: string, exitCode: number) => {
    if (stop.signal.aborted) return;
    results.failures.push(reason);
    abortExitCode = exitCode;
    stop.abort(new Error(reason));
    void end().then(() => process.exit(exitCode));
  };
  const timer = setTimeout(
    () => abort(`overall timeout of ${opts.timeoutMs / 1000} s reached`, 1),
    opts.timeoutMs,
  );
  // `on`, not `once`: Ctrl-C reaches us twice (from the terminal and relayed by tsx), and an
  // unhandled second signal would kill us before the server is stopped.
  process.on("SIGINT", () => abort("interrupted (SIGINT)", 130));
  process.on("SIGTERM", () => abort("terminated (SIGTERM)", 143));
  const checkpoint = () => {
    if (stop.signal.aborted) throw stop.signal.reason;
  };

  try {
    progress(opts.forceBuild ? "building (--build)…" : "checking for a build…");
    results.build = await buildIfNeeded(root, opts.forceBuild, (child) => (build = child));
    if (results.build.ran) progress(`next build took ${results.build.seconds?.toFixed(1)} s`);
    checkpoint();

    try {
      results.firstLoadJs = measureFirstLoadJs(root, ROUTE);
    } catch (error) {
      results.failures.push(`first-load JS: ${errorText(error)}`);
    }

    results.database = await ensureDatabase(databaseUrl).catch((error: unknown) => {
      throw new Error(`database ${redactUrl(databaseUrl)}: ${errorText(error)}`);
    });
    progress(
      `database ${results.database.name} ${results.database.created ? "created" : "exists"}`,
    );
    checkpoint();

    stub = await startCtraderStub({ managerToken: MANAGER_TOKEN, distinctUsers: DISTINCT_TRADERS });
    server = startAppServer({
      root,
      port: await freePort(),
      databaseUrl,
      ctraderUrl: stub.url,
      managerToken: MANAGER_TOKEN,
      // Fresh per run: sessions from earlier runs are never used again.
      appSecret: randomBytes(32).toString("hex"),
    });
    progress(
      `app server on ${server.baseUrl} (pid ${server.process.pid}), cTrader stub on ${stub.url}`,
    );
    results.serverStartSeconds = await waitForHealth(server, HEALTH_TIMEOUT_MS);
    progress(`healthy after ${results.serverStartSeconds.toFixed(1)} s`);
    checkpoint();

    // The server leads its own process group (see processes.ts): its pid is the group id.
    const appPid = server.process.pid;
    const floor = floorScenario(server.baseUrl);
    const exchange = exchangeScenario(server.baseUrl);
    const baseUrl = server.baseUrl;
    const pageFloor = pageFloorScenario(baseUrl);
    // One live session per virtual client for the status screen.
    const cookies = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => openSession(baseUrl)),
    );
    const status = statusScenario(baseUrl, cookies);
    const pairs: Scenario[][] = [
      [floor, exchange],
      [pageFloor, status],
    ];
    const run = (scenario: Scenario, count: number, round: number) =>
      runLoad(scenario, {
        count,
        concurrency: CONCURRENCY,
        round,
        signal: stop.signal,
        appCpuMs: () => processGroupCpuMs(appPid),
      });

    // Warm-up: JIT, route compilation caches, connection pools (app → PostgreSQL, app → stub).
    for (const scenario of pairs.flat()) {
      const round = await run(scenario, WARMUP_REQUESTS, 0);
      results.warmup.push(round);
      progress(`${scenario.name} warm-up: ${summary(round)}`);
    }
    for (let round = 1; round <= opts.rounds; round += 1) {
      for (const scenario of pairs.flat()) {
        const result = await run(scenario, opts.requests, round);
        results.rounds.push(result);
        progress(`${scenario.name} #${round}: ${summary(result)}`);
      }
    }
    if (server.process.hasExited()) {
      results.failures.push(
        `the app server exited during the run (${await server.process.exited})`,
      );
    }

    const best = {
      floor: bestRound(results.rounds, "floor"),
      exchange: bestRound(results.rounds, "exchange"),
      pageFloor: bestRound(results.rounds, "page-floor"),
      status: bestRound(results.rounds, "status"),
    };
    const ratio = (a: RoundResult | null, b: RoundResult | null) =>
      a && b && b.rps > 0 ? a.rps / b.rps : null;
    results.best = {
      ...best,
      exchangeVsFloor: ratio(best.exchange, best.floor),
      statusVsPageFloor: ratio(best.status, best.pageFloor),
    };

    if (opts.lighthouseRuns > 0) {
      checkpoint();
      try {
        results.lighthouse = await runLighthouse({
          baseUrl,
          // Its own session: a fresh trader with a draft case, as cTrader opens the screens.
          cookie: await openSession(baseUrl),
          screens: LIGHTHOUSE_SCREENS,
          runsPerScreen: opts.lighthouseRuns,
          signal: stop.signal,
          register: (child) => (chromium = child),
          progress,
        });
      } catch (error) {
        if (!stop.signal.aborted) results.failures.push(`lighthouse: ${errorText(error)}`);
      }
    }
  } catch (error) {
    // After an abort the reason is already recorded; anything else is a new failure.
    if (!stop.signal.aborted) results.failures.push(errorText(error));
  }

  // A timeout or signal may already be ending the run; then this waits for the same report.
  const code = await end();
  clearTimeout(timer);
  return abortExitCode ?? code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${errorText(error)}`);
    process.exit(1);
  },
);
