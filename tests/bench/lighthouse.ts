/**
 * Lighthouse (the version in package.json, 12.2.3) against the running standalone server, in
 * Debian's chromium: mobile form factor, Lighthouse's default simulated slow 4G (150 ms RTT,
 * 1.6 Mbit/s down, CPU ×4) — what cTrader's "screens load within 3 s" means on a phone.
 *
 * Chromium is started here, in its own process group (processes.ts), with a DevTools port and a
 * throwaway profile; Lighthouse drives a puppeteer page in it. The session travels as a Cookie
 * request header: a `__Host-` cookie is Secure, and the bench serves plain HTTP.
 *
 * A run counts only if it audited the real screen: the final URL is the one asked for, the main
 * document answered 200, a marker element of the screen is in the DOM after the load and the
 * "expired" screen is not; and every request stayed on the app's origin (nothing external).
 * Lighthouse and puppeteer are loaded lazily, so the pure parts below can be unit-tested.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "puppeteer-core";
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
export const TBT_MAX_MS = 200;
export const CLS_MAX = 0.1;

export type AuditedScreen = {
  path: string;
  /** A selector that only the real screen renders (not the expired screen). */
  marker: string;
  /** A floor measured for comparison (a bare Next page), not held to the targets. */
  reference?: boolean;
};

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
  finalUrl: string;
  documentStatus: number | null;
  markerFound: boolean;
  expiredScreen: boolean;
  /** Requests that left the app's origin (should be none). */
  externalRequests: string[];
  lcpElement: string | null;
  runWarnings: string[];
  seconds: number;
};

export type LighthousePageResult = {
  path: string;
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
  if (run.documentStatus !== 200) problems.push(`document answered ${run.documentStatus ?? "?"}`);
  if (run.expiredScreen) problems.push("rendered the expired screen");
  else if (!run.markerFound) problems.push("the screen's marker element is missing");
  if (run.externalRequests.length > 0)
    problems.push(`external requests: ${run.externalRequests.slice(0, 3).join(", ")}`);
  if (![run.lcpMs, run.tbtMs, run.cls].every(Number.isFinite)) problems.push("missing metrics");
  return problems;
}

export function summarize(
  screenPath: string,
  runs: LighthouseRun[],
  expectedUrl: string,
): LighthousePageResult {
  const problems = [
    ...new Set(runs.flatMap((run) => runProblems(run, expectedUrl).map((p) => `${p}`))),
  ];
  const valid = runs.filter((run) => runProblems(run, expectedUrl).length === 0);
  return {
    path: screenPath,
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

export async function runLighthouse(options: {
  baseUrl: string;
  /** `__Host-kyc_session=…` of a live session. */
  cookie: string;
  screens: readonly AuditedScreen[];
  runsPerScreen: number;
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
  const pages: LighthousePageResult[] = [];
  try {
    for (const screen of options.screens) {
      const url = `${options.baseUrl}${screen.path}`;
      const runs: LighthouseRun[] = [];
      let retries = 0;
      for (let i = 0; i < options.runsPerScreen; i += 1) {
        if (options.signal.aborted) throw options.signal.reason;
        const page = await browser.newPage();
        const started = performance.now();
        try {
          const result = await lighthouse(
            url,
            {
              logLevel: "error",
              output: "json",
              onlyCategories: ["performance"],
              formFactor: "mobile",
              throttlingMethod: "simulate",
              extraHeaders: { Cookie: options.cookie },
            },
            undefined,
            page,
          );
          if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
          const { lhr } = result;
          // Chromium sometimes loses the trace's navigation start under load: run again.
          if (lhr.runtimeError && RETRIED_ERRORS.has(lhr.runtimeError.code) && retries < 3) {
            retries += 1;
            options.progress(
              `lighthouse ${screen.path} #${i + 1}: ${lhr.runtimeError.code}, again`,
            );
            i -= 1;
            continue;
          }
          if (lhr.runtimeError)
            throw new Error(`lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
          lighthouseVersion = lhr.lighthouseVersion;
          const reportDir = process.env.LIGHTHOUSE_REPORT_DIR;
          if (reportDir) {
            mkdirSync(reportDir, { recursive: true });
            const name = `${screen.path.replace(/\W+/g, "_")}-${i + 1}.json`;
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
            (lhr.audits["network-requests"]?.details as { items?: NetworkItem[] } | undefined)
              ?.items ?? []
          ).filter((item): item is NetworkItem & { url: string } => typeof item.url === "string");
          const documentRequest = requests.find(
            (item) => item.resourceType === "Document" && item.url === url,
          );
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
            finalUrl: lhr.finalDisplayedUrl,
            documentStatus:
              typeof documentRequest?.statusCode === "number" ? documentRequest.statusCode : null,
            ...screenState,
            externalRequests: externalRequests(
              requests.map((item) => item.url),
              appOrigin,
            ),
            lcpElement: lcpSnippet ?? null,
            runWarnings: lhr.runWarnings.map(String),
            seconds: (performance.now() - started) / 1000,
          };
          runs.push(run);
          options.progress(
            `lighthouse ${screen.path} #${i + 1}: LCP ${(run.lcpMs / 1000).toFixed(2)} s, TBT ${run.tbtMs.toFixed(0)} ms, CLS ${run.cls.toFixed(3)} (${run.seconds.toFixed(1)} s)`,
          );
        } finally {
          await page.close().catch(() => {});
        }
      }
      pages.push({ ...summarize(screen.path, runs, url), reference: screen.reference });
    }
  } finally {
    await browser.disconnect().catch(() => {});
    await chromium.close();
  }
  if (!settings) throw new Error("lighthouse: no run completed");
  return { lighthouseVersion, chromium: chromium.version, settings, pages };
}
