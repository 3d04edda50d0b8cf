/**
 * `npm run bench [-- --build] [-- --requests=N --rounds=N --lighthouse-runs=N --timeout=S]
 *   [-- --only=load,bundle,lighthouse,screening,documents,client,s3,outbox,hostile,streams,traders,
 *   mrz,mrz-server]
 *   [-- --sanctions-list=PATH]`
 * (`hostile`, a minute of hostile uploads beside another trader, runs only when named.)
 * `streams` (1,000 idle live status streams: memory per stream, fan-out latency; streams.ts) and
 * `traders` (a mixed load of 100 traders at once; traders.ts) run on a server of their own each.
 * `mrz` (the MRZ reader's read rate and time per document, in process; mrz-reads.ts) and
 * `mrz-server` (the upload confirm's p95 while the server reads a zone, against the confirms with
 * no read running, on a server of its own with MRZ_CHECK=1; mrz-confirms.ts): what
 * `npm run bench:mrz -- --part=all` runs.
 *
 * Measures the one-time token exchange (GET /inapp/kyc?token=… → 303 + session cookie) against
 * a floor (a bare route handler doing one INSERT) on a production build talking to PostgreSQL
 * and to a local cTrader stub, and the first-load JavaScript of /inapp/kyc. Floor and exchange
 * rounds alternate and the best of each is compared, so a burst of background noise hurts one
 * round rather than one scenario. Then Lighthouse (mobile, simulated slow 4G) loads the two
 * trader screens with a live session (lighthouse.ts; `--lighthouse-runs=0` skips it).
 *
 * Issue 4 and 5's targets run in the same invocation, each its own section: sanctions screening
 * on the full OFAC list (screening.ts; skipped with a note when the list is absent), the server
 * document check against a bare sharp decode + re-encode (document-check.ts), the first-load JS
 * of the upload screen, and the upload screen in Chromium (upload-flow.ts): a 12 MP photo's
 * compression in the browser, then the same flow against a second server in s3 mode (s3rver)
 * counting what reaches the app. The in-process CPU benchmarks run before the server starts.
 *
 * Prints a table, PASS/FAIL per target and writes bench-results/latest.json; exits 1 if a target
 * fails or the run could not finish. Everything it starts is stopped at the end, on error, on
 * Ctrl-C and on the overall timeout.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
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
import S3rver from "s3rver";
import type { Browser } from "playwright-core";
import type { Browser as PuppeteerBrowser } from "puppeteer-core";
import { photo12mp } from "../fixtures/documents/make-fixtures";
import { measureFirstLoadJs } from "./bundle";
import { benchDocumentCheck } from "./document-check";
import { benchHostileUploads, hostileDataDir, removeHostileDataDir } from "./hostile-uploads";
import { benchOutbox } from "./outbox";
import { benchScreening, defaultListPath } from "./screening";
import { benchMrzServer } from "./mrz-confirms";
import { benchMrzAccuracy } from "./mrz-reads";
import { benchStreams } from "./streams";
import { benchTraderLoad } from "./traders";
import {
  benchClientCompression,
  benchS3Upload,
  launchChromium,
  startCountingProxy,
  type CountingProxy,
} from "./upload-flow";
import { processGroupCpuMs } from "./cpu";
import { runLighthouse, type AuditedScreen } from "./lighthouse";
import { newTraderId, startCtraderStub, traderToken, type CtraderStub } from "./ctrader-stub";
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
/**
 * Load takes ~1 min here, Lighthouse ~6 (nine targets × 5 runs), screening, documents and the
 * browser flows ~2 more, the MRZ reads ~4 and the confirms beside them ~2.
 */
const DEFAULT_TIMEOUT_S = 1200;
const MANAGER_TOKEN = "bench-manager";
const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kyc_bench";
const ROUTE = "/inapp/kyc";
const UPLOAD_ROUTE = "/inapp/kyc/upload";
const S3_BUCKET = "kyc-bench";
/** The upload screen posts to the bucket from the app's origin (XHR with progress: preflighted). */
const BUCKET_CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>
<AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>
<AllowedHeader>*</AllowedHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
export const SECTIONS = [
  "load",
  "bundle",
  "lighthouse",
  "screening",
  "documents",
  "client",
  "s3",
  "outbox",
  "hostile",
  "streams",
  "traders",
  "mrz",
  "mrz-server",
] as const;
export type Section = (typeof SECTIONS)[number];
/** Run only when named in --only: a minute of hostile uploads is not part of every run. */
const OPT_IN_SECTIONS: readonly Section[] = ["hostile"];

function parseSections(raw: string | undefined): Section[] {
  if (raw === undefined) return SECTIONS.filter((s) => !OPT_IN_SECTIONS.includes(s));
  const picked = raw.split(",").map((s) => s.trim());
  for (const name of picked) {
    if (!(SECTIONS as readonly string[]).includes(name))
      throw new Error(`--only: unknown section ${name} (sections: ${SECTIONS.join(", ")})`);
  }
  return picked as Section[];
}
/**
 * Median of 5 per screen (about 7 s a run here): simulated TBT scales every main-thread task
 * ×4, so one noisy run on a two-core machine moves it by 100 ms; 5 runs keep the median steady.
 */
const DEFAULT_LIGHTHOUSE_RUNS = 5;

/**
 * The trader's screens (issue "Simplify", part 7), each with an element only the real screen
 * (not "expired") renders. Two traders: a new one (the first form), and one past personal
 * information (the next form, the upload screen, the status).
 */
const TRADER_SCREENS: (Omit<AuditedScreen, "cookie" | "launch"> & {
  trader: "new" | "returning";
})[] = [
  {
    name: "kyc: personal information",
    path: "/inapp/kyc",
    marker: '[data-testid="personal-form"]',
    trader: "new",
  },
  {
    name: "kyc: identity document",
    path: "/inapp/kyc",
    marker: '[data-testid="step-form"] input[name="step"][value="identity_document"]',
    trader: "returning",
  },
  {
    name: "upload: identity",
    path: "/inapp/kyc/upload?documentType=identity",
    marker: '[data-testid="upload-screen"]',
    trader: "returning",
  },
  {
    name: "status",
    path: "/inapp/kyc/status",
    marker: '[data-testid="case-status"]',
    trader: "returning",
  },
];

/** What cTrader opens: the screen's URL with a fresh one-time token (and the trader's language). */
function launchUrl(screenPath: string, userId: number): string {
  const url = new URL(screenPath, "http://screen.invalid");
  url.searchParams.set("token", traderToken(userId));
  url.searchParams.set("lang", "en");
  return `${url.pathname}${url.search}`;
}

type Traders = Record<"new" | "returning", number>;

/**
 * Every trader screen twice: from its launch URL (a fresh token per run, 303 to the screen, so
 * the measured navigation includes the exchange) and at its own URL with a live session. Each
 * way has its own traders: a launch ends the trader's older sessions, which would end the
 * cookie's. First the bare Next page: the floor their TBT is compared with.
 */
async function lighthouseScreens(
  baseUrl: string,
  browser: PuppeteerBrowser,
): Promise<AuditedScreen[]> {
  const fresh = (): Traders => ({ new: newTraderId(), returning: newTraderId() });
  const launched = fresh();
  const withCookie = fresh();
  for (const traders of [launched, withCookie])
    await completePersonalStep(browser, `${baseUrl}${launchUrl("/inapp/kyc", traders.returning)}`);
  // Opened last: nothing after this starts another session for these two traders.
  const cookies = {
    new: await openSession(baseUrl, traderToken(withCookie.new)),
    returning: await openSession(baseUrl, traderToken(withCookie.returning)),
  };
  return [
    // A bare dynamic Next page in the same root layout: what the framework alone costs here.
    { name: "bare Next page", path: "/dev/floor-page", marker: "main h1", reference: true },
    ...TRADER_SCREENS.map(({ trader, ...screen }) => ({
      ...screen,
      launch: () => launchUrl(screen.path, launched[trader]),
    })),
    ...TRADER_SCREENS.map(({ trader, ...screen }) => ({ ...screen, cookie: cookies[trader] })),
  ];
}

/** The returning trader fills personal information once, through the real form. */
async function completePersonalStep(browser: PuppeteerBrowser, url: string): Promise<void> {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('[data-testid="personal-form"]');
    for (const [field, value] of [
      ["givenNames", "Lea"],
      ["surnames", "Brandt"],
      ["dateOfBirth", "1988-04-12"],
      ["placeOfBirth", "Köln"],
      ["addressLine1", "Ringstraße 5"],
      ["city", "Köln"],
      ["postcode", "50667"],
      ["phone", "+49 1512 3456789"],
    ] as const) {
      // A date input takes what a browser would send, typed or not.
      await page.$eval(
        `#${field}`,
        (input, v) => {
          (input as HTMLInputElement).value = v;
          input.dispatchEvent(new Event("change", { bubbles: true }));
        },
        value,
      );
    }
    for (const select of ["countryOfBirth", "nationalities", "country"])
      await page.select(`#${select}`, "DE");
    await Promise.all([
      page.waitForSelector('[data-testid="step-form"]'),
      page.click('[data-testid="personal-continue"]'),
    ]);
  } finally {
    await context.close();
  }
}

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
      only: { type: "string" },
      "sanctions-list": { type: "string" },
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
    sections: parseSections(values.only),
    sanctionsList: path.resolve(
      values["sanctions-list"] || process.env.BENCH_SANCTIONS_LIST || defaultListPath(),
    ),
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
      sections: opts.sections,
    },
    build: null,
    database: null,
    serverStartSeconds: null,
    warmup: [],
    rounds: [],
    best: { floor: null, exchange: null, exchangeVsFloor: null },
    firstLoadJs: null,
    firstLoadJsUpload: null,
    screening: null,
    documentCheck: null,
    clientCompression: null,
    s3Upload: null,
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
  let s3Server: AppServer | undefined;
  let hostileServer: AppServer | undefined;
  let ownServer: AppServer | undefined;
  let hostileDir: string | undefined;
  let browser: Browser | undefined;
  let s3rver: S3rver | undefined;
  let s3Dir: string | undefined;
  const proxies: CountingProxy[] = [];

  // Stops what was started, then reports. Runs once, whichever of the normal end, the timeout
  // or a signal gets here first.
  let ending: Promise<number> | undefined;
  let abortExitCode: number | undefined;
  const end = () =>
    (ending ??= (async () => {
      const stopping = performance.now();
      await Promise.allSettled([
        build?.stop(),
        chromium?.stop(),
        browser?.close(),
        server?.process.stop(),
        s3Server?.process.stop(),
        hostileServer?.process.stop(),
        ownServer?.process.stop(),
      ]);
      if (hostileDir) removeHostileDataDir(hostileDir);
      await Promise.allSettled(proxies.map((p) => p.close()));
      if (s3rver) {
        s3rver.httpServer?.closeAllConnections();
        await s3rver.close().catch(() => {});
      }
      if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
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

  const on = (section: Section) => opts.sections.includes(section);
  const browserSections = on("client") || on("s3");
  const needsServer =
    on("load") ||
    (on("lighthouse") && opts.lighthouseRuns > 0) ||
    browserSections ||
    on("hostile") ||
    on("streams") ||
    on("traders") ||
    on("mrz-server");
  // Each section records its own failure and the run goes on to the next.
  const attempt = async (name: string, fn: () => Promise<void>) => {
    checkpoint();
    try {
      await fn();
    } catch (error) {
      if (!stop.signal.aborted) results.failures.push(`${name}: ${errorText(error)}`);
    }
  };

  try {
    if (needsServer || on("bundle")) {
      progress(opts.forceBuild ? "building (--build)…" : "checking for a build…");
      results.build = await buildIfNeeded(root, opts.forceBuild, (child) => (build = child));
      if (results.build.ran) progress(`next build took ${results.build.seconds?.toFixed(1)} s`);
      checkpoint();
    }

    if (on("bundle")) {
      await attempt("first-load JS", async () => {
        results.firstLoadJs = measureFirstLoadJs(root, ROUTE);
      });
      await attempt("first-load JS of the upload screen", async () => {
        results.firstLoadJsUpload = measureFirstLoadJs(root, UPLOAD_ROUTE);
      });
    }

    // In-process CPU work first, while no server shares the machine.
    // The document check first: run right after the screening section it measured 0.03–0.08
    // lower (2026-11-26), most likely V8 collecting that section's garbage on background threads.
    if (on("documents")) {
      progress("document check vs bare sharp decode + re-encode…");
      await attempt("document check", async () => {
        results.documentCheck = await benchDocumentCheck();
      });
    }
    if (on("screening")) {
      progress(`screening on ${opts.sanctionsList}…`);
      await attempt("screening", async () => {
        results.screening = await benchScreening(opts.sanctionsList);
      });
    }
    if (on("outbox")) {
      progress("outbox drain vs a raw SKIP LOCKED loop…");
      await attempt("outbox", async () => {
        results.outbox = await benchOutbox();
      });
    }
    if (on("mrz")) {
      progress("MRZ reads: 80 synthetic documents, 8 conditions…");
      await attempt("MRZ reads", async () => {
        results.mrz = await benchMrzAccuracy((row) => progress(`  ${row}`));
      });
    }
    if (!needsServer) throw null; // nothing left to do: straight to the report

    results.database = await ensureDatabase(databaseUrl).catch((error: unknown) => {
      throw new Error(`database ${redactUrl(databaseUrl)}: ${errorText(error)}`);
    });
    progress(
      `database ${results.database.name} ${results.database.created ? "created" : "exists"}`,
    );
    checkpoint();

    stub = await startCtraderStub({ managerToken: MANAGER_TOKEN, distinctUsers: DISTINCT_TRADERS });
    const serverOptions = {
      root,
      databaseUrl,
      ctraderUrl: stub.url,
      managerToken: MANAGER_TOKEN,
      // Fresh per run: sessions from earlier runs are never used again.
      appSecret: randomBytes(32).toString("hex"),
    };
    server = startAppServer({ ...serverOptions, port: await freePort() });
    progress(
      `app server on ${server.baseUrl} (pid ${server.process.pid}), cTrader stub on ${stub.url}`,
    );
    results.serverStartSeconds = await waitForHealth(server, HEALTH_TIMEOUT_MS);
    progress(`healthy after ${results.serverStartSeconds.toFixed(1)} s`);
    checkpoint();

    const baseUrl = server.baseUrl;
    if (on("load")) {
      // The server leads its own process group (see processes.ts): its pid is the group id.
      const appPid = server.process.pid;
      const floor = floorScenario(baseUrl);
      const exchange = exchangeScenario(baseUrl);
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
    }

    if (on("lighthouse") && opts.lighthouseRuns > 0) {
      await attempt("lighthouse", async () => {
        // Traders of their own, never seen before: the first launch creates each one's case.
        results.lighthouse = await runLighthouse({
          baseUrl,
          screens: (browser) => lighthouseScreens(baseUrl, browser),
          runsPerScreen: opts.lighthouseRuns,
          signal: stop.signal,
          register: (child) => (chromium = child),
          progress,
        });
      });
    }

    if (browserSections) {
      const photo = await photo12mp();
      browser = await launchChromium();
      if (on("client")) {
        progress("client compression: 12 MP photo through the upload screen…");
        await attempt("client compression", async () => {
          results.clientCompression = await benchClientCompression({
            browser: browser!,
            baseUrl,
            photo,
          });
        });
      }
      if (on("s3")) {
        progress("s3 mode: s3rver, a second app server, the same upload…");
        await attempt("s3 mode", async () => {
          s3Dir = mkdtempSync(path.join(os.tmpdir(), "kyc-bench-s3-"));
          s3rver = new S3rver({
            address: "127.0.0.1",
            port: 0,
            silent: true,
            directory: s3Dir,
            configureBuckets: [{ name: S3_BUCKET, configs: [BUCKET_CORS] }],
          });
          const { port } = await s3rver.run();
          const bucketProxy = await startCountingProxy(`http://127.0.0.1:${port}`);
          proxies.push(bucketProxy);
          s3Server = startAppServer({
            ...serverOptions,
            port: await freePort(),
            extraEnv: {
              STORAGE_DRIVER: "s3",
              S3_BUCKET,
              S3_REGION: "us-east-1",
              S3_ENDPOINT: bucketProxy.url,
              S3_FORCE_PATH_STYLE: "1",
              AWS_ACCESS_KEY_ID: "S3RVER",
              AWS_SECRET_ACCESS_KEY: "S3RVER",
            },
          });
          await waitForHealth(s3Server, HEALTH_TIMEOUT_MS);
          const appProxy = await startCountingProxy(s3Server.baseUrl);
          proxies.push(appProxy);
          results.s3Upload = await benchS3Upload({
            browser: browser!,
            appProxy,
            bucketProxy,
            photo,
          });
        });
      }
    }
    if (on("hostile")) {
      progress("hostile uploads: one trader loops hostile files for 60 s, another is served…");
      await attempt("hostile uploads", async () => {
        // A server of its own, on a fresh DATA_DIR: its RSS and its stored objects are this run's.
        hostileDir = hostileDataDir();
        hostileServer = startAppServer({
          ...serverOptions,
          port: await freePort(),
          extraEnv: { DATA_DIR: hostileDir },
        });
        await waitForHealth(hostileServer, HEALTH_TIMEOUT_MS);
        results.hostileUploads = await benchHostileUploads({
          baseUrl: hostileServer.baseUrl,
          serverPid: hostileServer.process.pid,
          dataDir: hostileDir,
          databaseUrl,
          signal: stop.signal,
        });
      });
    }
    // A fresh server each, on a data directory of its own: one section's sessions and heap do
    // not weigh on the other's figures, and its uploads do not land in the build's directory.
    const onOwnServer = async (
      name: string,
      fn: (s: AppServer) => Promise<void>,
      env: Record<string, string> = {},
    ) =>
      attempt(name, async () => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), "kyc-bench-own-"));
        ownServer = startAppServer({
          ...serverOptions,
          port: await freePort(),
          extraEnv: { ...env, DATA_DIR: dataDir },
        });
        try {
          await waitForHealth(ownServer, HEALTH_TIMEOUT_MS);
          await fn(ownServer);
        } finally {
          await ownServer.process.stop();
          ownServer = undefined;
          rmSync(dataDir, { recursive: true, force: true });
        }
      });
    if (on("streams")) {
      progress("live status streams: 1,000 idle on one instance, then a status change each…");
      await onOwnServer("status streams", async (s) => {
        results.streams = await benchStreams({
          baseUrl: s.baseUrl,
          serverPid: s.process.pid,
          databaseUrl,
          signal: stop.signal,
        });
      });
    }
    if (on("traders")) {
      progress("mixed trader load: 100 traders at once (launch, autosave, upload, status)…");
      await onOwnServer("mixed trader load", async (s) => {
        results.traderLoad = await benchTraderLoad({
          root,
          baseUrl: s.baseUrl,
          signal: stop.signal,
        });
      });
    }
    if (on("mrz-server")) {
      progress("MRZ on the server: identity uploads read after their confirm, confirms beside…");
      await onOwnServer(
        "MRZ on the server",
        async (s) => {
          results.mrzServer = await benchMrzServer({
            baseUrl: s.baseUrl,
            databaseUrl,
            signal: stop.signal,
          });
        },
        { MRZ_CHECK: "1" },
      );
    }
  } catch (error) {
    // After an abort the reason is already recorded; anything else is a new failure.
    if (error !== null && !stop.signal.aborted) results.failures.push(errorText(error));
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
