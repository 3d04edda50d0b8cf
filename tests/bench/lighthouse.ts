/**
 * Lighthouse (the version in package.json, 12.2.3) against the running standalone server, in
 * Debian's chromium: mobile form factor, Lighthouse's default simulated slow 4G (150 ms RTT,
 * 1.6 Mbit/s down, CPU ×4) — what cTrader's "screens load within 3 s" means on a phone.
 *
 * Chromium is started here, in its own process group (processes.ts), with a DevTools port and a
 * throwaway profile; Lighthouse drives a puppeteer page in it, each run in a browser context of
 * its own (no cookie or cache carried over). A screen is loaded one of two ways:
 * - from the cTrader launch URL, as cTrader opens it: a fresh one-time token per run, answered
 *   303 with the session cookie to the screen, so the measured navigation includes the exchange;
 * - at its own URL with a live session, the cookie as a request header (a `__Host-` cookie set
 *   by hand needs HTTPS; one set by the 303 on loopback is accepted).
 *
 * A run counts only if it audited the real screen: the final URL is the one asked for, the main
 * document answered 200 (and the launch URL 303), a marker element of the screen is in the DOM
 * after the load and the "expired" screen is not; and every request stayed on the app's origin
 * (nothing external). Runs go round the targets (one run of each, then the next round), so noise
 * from other work on the machine spreads over all of them rather than landing on one.
 * Lighthouse and puppeteer are loaded lazily, so the pure parts below can be unit-tested.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { startProcess, type ManagedProcess } from "./processes";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Targets from issue 3 (Core Web Vitals "good" thresholds). */
export const LCP_MAX_MS = 2500;
export const CLS_MAX = 0.1;
/**
 * Issue "Simplify", part 7: TBT at most this multiple of the bare Next page's in the same run.
 * An absolute TBT depends on the host's CPU (×4 of whatever it is); the ratio is the app's.
 */
export const TBT_MAX_FLOOR_RATIO = 1.2;

export type AuditedScreen = {
  /** How the report names it ("kyc: personal information"). */
  name: string;
  /** The screen's own path and query: where the browser must end up. */
  path: string;
  /** A selector that only the real screen renders (not the expired screen). */
  marker: string;
  /** A floor measured for comparison (a bare Next page), not held to the targets. */
  reference?: boolean;
  /** A live session, sent as a Cookie header with the screen's own URL. */
  cookie?: string;
  /** Loaded instead of `path`: a cTrader launch URL with a fresh one-time token per call. */
  launch?: () => string;
};

/** How a screen was opened, for the report. */
export function entryOf(screen: Pick<AuditedScreen, "launch" | "cookie">): string {
  return screen.launch ? "launch URL" : screen.cookie ? "session cookie" : "direct";
}

export type LighthouseRun = {
  lcpMs: number;
  tbtMs: number;
  cls: number;
  fcpMs: number;
  performanceScore: number | null;
  /**
   * Lighthouse's measure of the host CPU (higher is faster). The simulated CPU ×4 assumes a
   * fast desktop host (~1500); below 1000 Lighthouse warns that its timings run slow.
   */
  benchmarkIndex: number | null;
  /** What Lighthouse loaded: the screen's URL, or the launch URL with its token. */
  requestedUrl: string;
  finalUrl: string;
  documentStatus: number | null;
  /** The launch URL's answer (303 expected); null for a screen loaded at its own URL. */
  launchStatus: number | null;
  /** What the redirect adds to the simulated load (Lighthouse's "redirects" audit), launch only. */
  redirectMs: number | null;
  markerFound: boolean;
  expiredScreen: boolean;
  /** Requests that left the app's origin (should be none). */
  externalRequests: string[];
  lcpElement: string | null;
  runWarnings: string[];
  seconds: number;
};

export type LighthousePageResult = {
  name: string;
  path: string;
  /** "launch URL", "session cookie" or "direct" (entryOf). */
  entry: string;
  reference?: boolean;
  runs: LighthouseRun[];
  /** Median of each metric over the valid runs (Lighthouse CI's "median" aggregation). */
  median: { lcpMs: number; tbtMs: number; cls: number; fcpMs: number } | null;
  /** Why a run does not count (wrong screen, external request, …); empty when all is well. */
  problems: string[];
};

export type LighthouseResults = {
  lighthouseVersion: string;
  chromium: string;
  settings: {
    formFactor: string;
    throttlingMethod: string;
    rttMs: number;
    throughputKbps: number;
    cpuSlowdown: number;
  };
  pages: LighthousePageResult[];
};

/** Lighthouse runtime errors about the recording, not the page: such a run is repeated. */
const RETRIED_ERRORS = new Set(["NO_NAVSTART", "NO_TRACING_STARTED", "NO_FCP", "PROTOCOL_TIMEOUT"]);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** What makes a run unusable as a measurement of the screen at `expectedUrl`. */
export function runProblems(run: LighthouseRun, expectedUrl: string): string[] {
  const problems: string[] = [];
  if (run.finalUrl !== expectedUrl) problems.push(`ended at ${run.finalUrl}`);
  if (run.requestedUrl !== expectedUrl && run.launchStatus !== 303)
    problems.push(`the launch URL answered ${run.launchStatus ?? "?"}, not 303`);
  if (run.documentStatus !== 200) problems.push(`document answered ${run.documentStatus ?? "?"}`);
  if (run.expiredScreen) problems.push("rendered the expired screen");
  else if (!run.markerFound) problems.push("the screen's marker element is missing");
  if (run.externalRequests.length > 0)
    problems.push(`external requests: ${run.externalRequests.slice(0, 3).join(", ")}`);
  if (![run.lcpMs, run.tbtMs, run.cls].every(Number.isFinite)) problems.push("missing metrics");
  return problems;
}

export function summarize(
  screen: AuditedScreen,
  runs: LighthouseRun[],
  expectedUrl: string,
): LighthousePageResult {
  const problems = [
    ...new Set(runs.flatMap((run) => runProblems(run, expectedUrl).map((p) => `${p}`))),
  ];
  const valid = runs.filter((run) => runProblems(run, expectedUrl).length === 0);
  return {
    name: screen.name,
    path: screen.path,
    entry: entryOf(screen),
    reference: screen.reference,
    runs,
    median:
      valid.length > 0 && valid.length === runs.length
        ? {
            lcpMs: median(valid.map((r) => r.lcpMs)),
            tbtMs: median(valid.map((r) => r.tbtMs)),
            cls: median(valid.map((r) => r.cls)),
            fcpMs: median(valid.map((r) => r.fcpMs)),
          }
        : null,
    problems,
  };
}

/** Requests whose origin is not the app's (data: and blob: URLs never touch the network). */
export function externalRequests(urls: readonly string[], appOrigin: string): string[] {
  return urls.filter((raw) => {
    if (raw.startsWith("data:") || raw.startsWith("blob:")) return false;
    try {
      return new URL(raw).origin !== appOrigin;
    } catch {
      return true;
    }
  });
}

type Chromium = {
  process: ManagedProcess;
  wsEndpoint: string;
  version: string;
  close(): Promise<void>;
};

/** Starts chromium with a DevTools port and waits for its endpoint line on stderr. */
async function startChromium(register: (child: ManagedProcess) => void): Promise<Chromium> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "kyc-bench-chromium-"));
  let resolveEndpoint: (url: string) => void = () => {};
  const endpoint = new Promise<string>((resolve) => (resolveEndpoint = resolve));
  const tail: string[] = [];
  const child = startProcess(
    CHROMIUM_PATH,
    [...CHROMIUM_FLAGS, "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"],
    { env: process.env },
    (_stream, line) => {
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(line);
      if (match?.[1]) resolveEndpoint(match[1]);
      else if (tail.push(line) > 20) tail.shift();
    },
  );
  register(child);
  const close = async () => {
    await child.stop(3_000);
    rmSync(profile, { recursive: true, force: true });
  };
  const wsEndpoint = await Promise.race([
    endpoint,
    child.exited.then((code) => {
      throw new Error(`chromium exited (${code}) before DevTools was up:\n${tail.join("\n")}`);
    }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("chromium: no DevTools endpoint within 20 s")), 20_000),
    ),
  ]).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  const response = await fetch(
    wsEndpoint.replace(/^ws:/, "http:").replace(/\/devtools\/.*/, "/json/version"),
  );
  const version = ((await response.json()) as { Browser?: string }).Browser ?? "unknown";
  return { process: child, wsEndpoint, version, close };
}

async function inspectScreen(page: Page, marker: string) {
  return page.evaluate(
    (selector: string) => ({
      markerFound: document.querySelector(selector) !== null,
      expiredScreen: document.querySelector('[data-testid="expired-screen"]') !== null,
    }),
    marker,
  );
}

type NetworkItem = { url?: unknown; resourceType?: unknown; statusCode?: unknown };

/** A screen's median TBT as a multiple of the reference page's (same run); null if either is missing. */
export function tbtVsFloor(
  page: LighthousePageResult,
  pages: readonly LighthousePageResult[],
): number | null {
  const floor = pages.find((p) => p.reference)?.median?.tbtMs;
  const tbt = page.median?.tbtMs;
  if (floor === undefined || tbt === undefined || !(floor > 0)) return null;
  return tbt / floor;
}

export async function runLighthouse(options: {
  baseUrl: string;
  runsPerScreen: number;
  /**
   * The screens to audit, made once before the audits with the browser they use (e.g. after
   * walking a trader's flow, and opening sessions only then: an entry ends older sessions).
   */
  screens: (browser: Browser) => Promise<readonly AuditedScreen[]>;
  signal: AbortSignal;
  register: (child: ManagedProcess) => void;
  progress: (line: string) => void;
}): Promise<LighthouseResults> {
  const [{ default: lighthouse }, puppeteer] = await Promise.all([
    import("lighthouse"),
    import("puppeteer-core"),
  ]);
  const chromium = await startChromium(options.register);
  const browser = await puppeteer.connect({
    browserWSEndpoint: chromium.wsEndpoint,
    defaultViewport: null,
  });
  const appOrigin = new URL(options.baseUrl).origin;
  let settings: LighthouseResults["settings"] | undefined;
  let lighthouseVersion = "unknown";
  let screens: readonly AuditedScreen[] = [];
  let runs: LighthouseRun[][] = [];
  const label = (screen: AuditedScreen) => `${screen.name} (${entryOf(screen)})`;

  async function audit(screen: AuditedScreen, round: number): Promise<LighthouseRun | "again"> {
    const url = `${options.baseUrl}${screen.path}`;
    const requested = screen.launch ? `${options.baseUrl}${screen.launch()}` : url;
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const started = performance.now();
    try {
      const result = await lighthouse(
        requested,
        {
          logLevel: "error",
          output: "json",
          onlyCategories: ["performance"],
          formFactor: "mobile",
          throttlingMethod: "simulate",
          ...(screen.cookie ? { extraHeaders: { Cookie: screen.cookie } } : {}),
        },
        undefined,
        page,
      );
      if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
      const { lhr } = result;
      // Chromium sometimes loses the trace's navigation start under load: run again.
      if (lhr.runtimeError && RETRIED_ERRORS.has(lhr.runtimeError.code)) {
        options.progress(`lighthouse ${label(screen)} #${round}: ${lhr.runtimeError.code}`);
        return "again";
      }
      if (lhr.runtimeError)
        throw new Error(`lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      lighthouseVersion = lhr.lighthouseVersion;
      const reportDir = process.env.LIGHTHOUSE_REPORT_DIR;
      if (reportDir) {
        mkdirSync(reportDir, { recursive: true });
        const name = `${`${screen.name}-${entryOf(screen)}`.replace(/\W+/g, "_")}-${round}.json`;
        writeFileSync(path.join(reportDir, name), JSON.stringify(lhr));
      }
      const t = lhr.configSettings.throttling;
      settings = {
        formFactor: lhr.configSettings.formFactor,
        throttlingMethod: lhr.configSettings.throttlingMethod,
        rttMs: t.rttMs ?? Number.NaN,
        throughputKbps: t.throughputKbps ?? Number.NaN,
        cpuSlowdown: t.cpuSlowdownMultiplier ?? Number.NaN,
      };
      const value = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
      const requests = (
        (lhr.audits["network-requests"]?.details as { items?: NetworkItem[] } | undefined)?.items ??
        []
      ).filter((item): item is NetworkItem & { url: string } => typeof item.url === "string");
      // A redirect's request has no resource type in the report: match the URL alone.
      const statusOf = (requestUrl: string, type?: string) => {
        const status = requests.find(
          (item) => item.url === requestUrl && (!type || item.resourceType === type),
        )?.statusCode;
        return typeof status === "number" ? status : null;
      };
      const lcpItems = (
        lhr.audits["largest-contentful-paint-element"]?.details as
          | { items?: { items?: { node?: { snippet?: string; nodeLabel?: string } }[] }[] }
          | undefined
      )?.items;
      // Not applicable when Lighthouse cannot map the LCP event to a node.
      const lcpNode = lcpItems?.[0]?.items?.[0]?.node;
      const lcpSnippet = lcpNode?.snippet ?? lcpNode?.nodeLabel;
      const screenState = await inspectScreen(page, screen.marker);
      const run: LighthouseRun = {
        lcpMs: value("largest-contentful-paint"),
        tbtMs: value("total-blocking-time"),
        cls: value("cumulative-layout-shift"),
        fcpMs: value("first-contentful-paint"),
        performanceScore: lhr.categories.performance?.score ?? null,
        benchmarkIndex: lhr.environment.benchmarkIndex ?? null,
        requestedUrl: requested,
        finalUrl: lhr.finalDisplayedUrl,
        documentStatus: statusOf(url, "Document"),
        launchStatus: requested === url ? null : statusOf(requested),
        redirectMs: requested === url ? null : value("redirects"),
        ...screenState,
        externalRequests: externalRequests(
          requests.map((item) => item.url),
          appOrigin,
        ),
        lcpElement: lcpSnippet ?? null,
        runWarnings: lhr.runWarnings.map(String),
        seconds: (performance.now() - started) / 1000,
      };
      options.progress(
        `lighthouse ${label(screen)} #${round}: LCP ${(run.lcpMs / 1000).toFixed(2)} s, TBT ${run.tbtMs.toFixed(0)} ms, CLS ${run.cls.toFixed(3)} (${run.seconds.toFixed(1)} s)`,
      );
      return run;
    } finally {
      await context.close().catch(() => {});
    }
  }

  try {
    screens = await options.screens(browser);
    runs = screens.map((): LighthouseRun[] => []);
    const retries = screens.map(() => 0);
    for (let round = 1; round <= options.runsPerScreen; round += 1) {
      for (const [index, screen] of screens.entries()) {
        for (;;) {
          if (options.signal.aborted) throw options.signal.reason;
          const run = await audit(screen, round);
          if (run !== "again") {
            runs[index]!.push(run);
            break;
          }
          if ((retries[index]! += 1) > 3)
            throw new Error(`lighthouse ${label(screen)}: the recording failed 4 times`);
        }
      }
    }
  } finally {
    await browser.disconnect().catch(() => {});
    await chromium.close();
  }
  if (!settings) throw new Error("lighthouse: no run completed");
  const pages = screens.map((screen, index) =>
    summarize(screen, runs[index]!, `${options.baseUrl}${screen.path}`),
  );
  return { lighthouseVersion, chromium: chromium.version, settings, pages };
}
