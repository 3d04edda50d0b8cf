/** The results: one object, printed as plain-text tables and written as JSON. */
import { renderOutbox, type OutboxBenchRow } from "./outbox";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BuildOutcome, ServerLog } from "./app-server";
import type { FirstLoadJs } from "./bundle";
import type { CtraderStubStats } from "./ctrader-stub";
import {
  CLS_MAX,
  LCP_MAX_MS,
  TBT_MAX_FLOOR_RATIO,
  median,
  tbtVsFloor,
  type LighthousePageResult,
  type LighthouseResults,
} from "./lighthouse";
import type { RoundResult } from "./load";
import { renderDocumentBench, type DocumentBenchResult } from "./document-check";
import { hostileChecks, renderHostile, type HostileBenchResult } from "./hostile-uploads";
import { renderMrzServer, type MrzServerResult } from "./mrz-confirms";
import { mrzChecks, renderMrzAccuracy, type MrzAccuracyResult } from "./mrz-reads";
import { renderStreams, streamsChecks, type StreamsBenchResult } from "./streams";
import { renderTraderLoad, traderLoadChecks, type TraderLoadResult } from "./traders";
import { renderScreening, type ScreeningBenchResult } from "./screening";
import { CLIENT_MAX_BYTES, type ClientCompressionResult, type S3UploadResult } from "./upload-flow";

export type Machine = {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
};

export type Check = { name: string; pass: boolean; detail: string };

export type BenchResults = {
  startedAt: string;
  finishedAt: string | null;
  machine: Machine;
  /** 1, 5 and 15 minute load averages: other work on the machine skews throughput. */
  loadAverage: { start: number[]; end: number[] | null };
  config: {
    concurrency: number;
    warmupRequests: number;
    requestsPerRound: number;
    roundsPerScenario: number;
    distinctTraders: number;
    databaseUrl: string;
    lighthouseRunsPerScreen?: number;
    /** The sections run (`--only`); absent in results from before sections existed. */
    sections?: string[];
  };
  build: BuildOutcome | null;
  database: { name: string; created: boolean } | null;
  serverStartSeconds: number | null;
  warmup: RoundResult[];
  rounds: RoundResult[];
  best: {
    floor: RoundResult | null;
    exchange: RoundResult | null;
    exchangeVsFloor: number | null;
    pageFloor?: RoundResult | null;
    status?: RoundResult | null;
    statusVsPageFloor?: number | null;
  };
  firstLoadJs: FirstLoadJs | null;
  firstLoadJsUpload?: FirstLoadJs | null;
  /** Issue 5: null when not run; `skipped` set when the list is absent. */
  screening?: ScreeningBenchResult | null;
  /** Issue 4: server document check vs a bare sharp decode + re-encode. */
  documentCheck?: DocumentBenchResult | null;
  clientCompression?: ClientCompressionResult | null;
  s3Upload?: S3UploadResult | null;
  /** Issue 6: outbox drain vs a raw SKIP LOCKED loop; commit-to-first-attempt latency. */
  outbox?: OutboxBenchRow[] | null;
  /** Issue 17 (opt-in, --only hostile): a minute of hostile uploads beside another trader. */
  hostileUploads?: HostileBenchResult | null;
  /** Issue 16: 1,000 idle live status streams on one instance. */
  streams?: StreamsBenchResult | null;
  /** Issue 16: a mixed load of 100 traders at once. */
  traderLoad?: TraderLoadResult | null;
  /** Issue 19: the MRZ reader's read rate and time per document (in process). */
  mrz?: MrzAccuracyResult | null;
  /** Issue 19: upload confirms while the server reads a zone, against those without. */
  mrzServer?: MrzServerResult | null;
  /** Null when skipped (--lighthouse-runs=0) or when it could not run (see failures). */
  lighthouse: LighthouseResults | null;
  stub: CtraderStubStats | null;
  serverLog: ReturnType<ServerLog["toJSON"]> | null;
  /** Anything that stopped the run early (server never healthy, timeout…). */
  failures: string[];
  checks: Check[];
  pass: boolean;
};

/** Exchange throughput must be at least this share of the floor's. */
export const EXCHANGE_MIN_RATIO = 0.5;
export const FIRST_LOAD_JS_MAX_KIB = 150;
export const UPLOAD_FIRST_LOAD_JS_MAX_KIB = 170;
/** Status screen throughput must be at least this share of a bare dynamic page's. */
export const STATUS_MIN_RATIO = 0.7;

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** A URL safe to print: the password, if any, replaced. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(unparseable URL)";
  }
}

const kib = (bytes: number) => bytes / 1024;

/** The best round (highest throughput) of a scenario. */
export function bestRound(rounds: readonly RoundResult[], scenario: string): RoundResult | null {
  let best: RoundResult | null = null;
  for (const round of rounds) {
    if (round.scenario === scenario && (!best || round.rps > best.rps)) best = round;
  }
  return best;
}

const ran = (results: BenchResults, section: string) =>
  results.config.sections?.includes(section) ?? true;

export function evaluate(results: BenchResults): Check[] {
  const checks: Check[] = [];
  if (ran(results, "load")) checks.push(...loadChecks(results));
  if (ran(results, "bundle")) {
    const limits: [string, FirstLoadJs | null | undefined, number][] = [
      ["/inapp/kyc", results.firstLoadJs, FIRST_LOAD_JS_MAX_KIB],
      ["/inapp/kyc/upload", results.firstLoadJsUpload, UPLOAD_FIRST_LOAD_JS_MAX_KIB],
    ];
    for (const [route, js, max] of limits) {
      checks.push({
        name: `first-load JS of ${route} ≤ ${max} KiB gzip`,
        pass: js != null && kib(js.gzipBytes) <= max,
        detail: js ? `${kib(js.gzipBytes).toFixed(1)} KiB gzip` : "not measured",
      });
    }
  }
  const pages = results.lighthouse?.pages ?? [];
  for (const page of pages) if (!page.reference) checks.push(...lighthouseChecks(page, pages));
  checks.push(...uploadChecks(results));
  for (const failure of results.failures) {
    checks.push({
      name: "benchmark ran to completion",
      pass: false,
      detail: failure.split("\n")[0] ?? "",
    });
  }
  return checks;
}

/** Issue 4 and 5: screening, the server check, client compression, s3 mode. */
function uploadChecks(results: BenchResults): Check[] {
  const checks: Check[] = [];
  const screening = results.screening;
  if (screening && !screening.skipped) {
    for (const row of screening.rows) {
      if (row.pass !== null)
        checks.push({
          name: `screening: ${row.metric} ${row.target}`,
          pass: row.pass,
          detail: row.value,
        });
    }
  }
  for (const row of results.outbox ?? [])
    if (row.pass !== null)
      checks.push({
        name: `outbox: ${row.metric} ${row.target}`,
        pass: row.pass,
        detail: row.value,
      });
  if (results.hostileUploads) checks.push(...hostileChecks(results.hostileUploads));
  checks.push(...streamsChecks(results.streams), ...traderLoadChecks(results.traderLoad));
  checks.push(...mrzChecks(results.mrz, results.mrzServer));
  const doc = results.documentCheck;
  const one = doc?.rows.find((r) => r.inFlight === 1);
  if (doc && one) {
    checks.push({
      name: "server document check ≥ 0.8 × bare sharp decode + re-encode (12 MP, one at a time)",
      pass: one.pass === true,
      detail: `${one.checkMs.toFixed(0)} vs ${one.bareMs.toFixed(0)} ms = ${one.ratio.toFixed(3)} × (CPU ${(one.bareCpuMs / one.checkCpuMs).toFixed(3)} ×)`,
    });
  }
  const client = results.clientCompression;
  if (client) {
    checks.push({
      name: `client compression of a 12 MP photo ≤ ${CLIENT_MAX_BYTES / 1e6} MB`,
      pass: client.pass,
      detail: `${(client.input.bytes / 1e6).toFixed(2)} MB → ${(client.output.bytes / 1e6).toFixed(3)} MB, ${client.output.width}×${client.output.height}, ${client.prepareMs.toFixed(0)} ms`,
    });
  }
  const s3 = results.s3Upload;
  if (s3) {
    checks.push({
      name: "s3 mode: 0 document bytes through the app server",
      pass: s3.pass,
      detail: `${s3.app.nonJsonBodyBytes} B of non-JSON bodies; app received ${s3.app.bodyBytes} B of bodies in ${s3.app.requests} requests, the bucket ${s3.browserToBucket.bodyBytes} B from the browser (document ${s3.documentBytes} B)`,
    });
  }
  return checks;
}

function loadChecks(results: BenchResults): Check[] {
  const checks: Check[] = [];
  const { floor, exchange, exchangeVsFloor } = results.best;
  if (floor && exchange && exchangeVsFloor !== null) {
    const exchangeErrors = [...results.warmup, ...results.rounds]
      .filter((r) => r.scenario === "exchange")
      .reduce((sum, r) => sum + r.errors, 0);
    checks.push({
      name: `exchange throughput ≥ ${EXCHANGE_MIN_RATIO} × floor, 0 errors`,
      pass: exchangeVsFloor >= EXCHANGE_MIN_RATIO && exchangeErrors === 0,
      detail: `${exchange.rps.toFixed(0)} / ${floor.rps.toFixed(0)} req/s = ${exchangeVsFloor.toFixed(2)} × floor, ${exchangeErrors} exchange errors (warm-up included)`,
    });
  } else {
    checks.push({
      name: `exchange throughput ≥ ${EXCHANGE_MIN_RATIO} × floor, 0 errors`,
      pass: false,
      detail: "not measured",
    });
  }
  const { status, pageFloor, statusVsPageFloor } = results.best;
  const statusErrors = [...results.warmup, ...results.rounds]
    .filter((r) => r.scenario === "status")
    .reduce((sum, r) => sum + r.errors, 0);
  checks.push({
    name: `status screen throughput ≥ ${STATUS_MIN_RATIO} × a bare dynamic page, 0 errors`,
    pass: statusVsPageFloor != null && statusVsPageFloor >= STATUS_MIN_RATIO && statusErrors === 0,
    detail:
      status && pageFloor && statusVsPageFloor != null
        ? `${status.rps.toFixed(0)} / ${pageFloor.rps.toFixed(0)} req/s = ${statusVsPageFloor.toFixed(2)} × page floor, ${statusErrors} status errors`
        : "not measured",
  });
  return checks;
}

/** How a screen is named in checks and tables: "status (launch URL)". */
const screenLabel = (page: LighthousePageResult) =>
  page.reference ? `${page.name} ${page.path} (floor)` : `${page.name} (${page.entry})`;

/**
 * One screen against its targets, from the median of its runs: LCP and CLS (issue 3), TBT as a
 * multiple of the bare Next page's in the same run (issue "Simplify", part 7).
 */
export function lighthouseChecks(
  page: LighthousePageResult,
  pages: readonly LighthousePageResult[],
): Check[] {
  const m = page.median;
  const why = page.problems.length ? page.problems.join("; ") : "no valid run";
  const ratio = tbtVsFloor(page, pages);
  const floor = pages.find((p) => p.reference)?.median?.tbtMs;
  const label = screenLabel(page);
  return [
    {
      name: `Lighthouse ${label}: LCP ≤ ${(LCP_MAX_MS / 1000).toFixed(1)} s`,
      pass: m !== null && m.lcpMs <= LCP_MAX_MS,
      detail: m ? `${(m.lcpMs / 1000).toFixed(2)} s (median of ${page.runs.length})` : why,
    },
    {
      name: `Lighthouse ${label}: TBT ≤ ${TBT_MAX_FLOOR_RATIO} × the bare Next page`,
      pass: ratio !== null && ratio <= TBT_MAX_FLOOR_RATIO,
      detail:
        m && ratio !== null && floor !== undefined
          ? `${m.tbtMs.toFixed(0)} / ${floor.toFixed(0)} ms = ${ratio.toFixed(2)} × (medians of ${page.runs.length})`
          : m
            ? "the bare Next page was not measured"
            : why,
    },
    {
      name: `Lighthouse ${label}: CLS ≤ ${CLS_MAX}`,
      pass: m !== null && m.cls <= CLS_MAX,
      detail: m ? `${m.cls.toFixed(3)} (median of ${page.runs.length})` : why,
    },
  ];
}

/** The launch URL's redirect in the simulated load (median), for screens opened from it. */
function redirect(page: LighthousePageResult): string {
  const values = page.runs.map((r) => r.redirectMs).filter((v): v is number => v !== null);
  return values.length ? median(values).toFixed(0) : "-";
}

function renderLighthouse(lh: LighthouseResults): string[] {
  const s = lh.settings;
  const indexes = lh.pages
    .flatMap((page) => page.runs.map((r) => r.benchmarkIndex))
    .filter((v): v is number => v !== null && Number.isFinite(v));
  const out = [
    `Lighthouse ${lh.lighthouseVersion}, ${lh.chromium}: ${s.formFactor}, ${s.throttlingMethod} (RTT ${s.rttMs} ms, ${(s.throughputKbps / 1000).toFixed(1)} Mbit/s, CPU ×${s.cpuSlowdown})`,
    // TBT scales with the host CPU: ×4 models a mid-range phone only on a fast host (~1500).
    indexes.length
      ? `host CPU benchmark index (Lighthouse): median ${median(indexes).toFixed(0)}, ${Math.min(...indexes).toFixed(0)}–${Math.max(...indexes).toFixed(0)}` +
        (Math.min(...indexes) < 1000 ? " — below 1000, Lighthouse warns its timings run slow" : "")
      : "host CPU benchmark index: not reported",
  ];
  const rows = lh.pages.map((page) => {
    const m = page.median;
    const mark = (pass: boolean) => (page.reference ? "" : pass ? "PASS" : "FAIL");
    const scores = page.runs.map((r) => r.performanceScore).filter((v) => v !== null);
    const ratio = tbtVsFloor(page, lh.pages);
    return m
      ? [
          screenLabel(page),
          String(page.runs.length),
          `${(m.lcpMs / 1000).toFixed(2)} ${mark(m.lcpMs <= LCP_MAX_MS)}`,
          m.tbtMs.toFixed(0),
          page.reference
            ? "1.00"
            : ratio === null
              ? "- FAIL"
              : `${ratio.toFixed(2)} ${mark(ratio <= TBT_MAX_FLOOR_RATIO)}`,
          `${m.cls.toFixed(3)} ${mark(m.cls <= CLS_MAX)}`,
          (m.fcpMs / 1000).toFixed(2),
          page.runs.map((r) => r.tbtMs.toFixed(0)).join(" "),
          redirect(page),
          scores.length ? String(Math.round(Math.min(...scores) * 100)) : "-",
        ]
      : [
          screenLabel(page),
          String(page.runs.length),
          "FAIL",
          "-",
          "FAIL",
          "FAIL",
          "-",
          "-",
          "-",
          "-",
        ];
  });
  out.push(
    formatTable(
      [
        "screen (median)",
        "runs",
        `LCP s (≤ ${LCP_MAX_MS / 1000})`,
        "TBT ms",
        `TBT ÷ floor (≤ ${TBT_MAX_FLOOR_RATIO})`,
        `CLS (≤ ${CLS_MAX})`,
        "FCP s",
        "TBT of each run",
        "303 ms",
        "perf score (min)",
      ],
      rows,
    ),
  );
  for (const page of lh.pages) {
    for (const problem of page.problems) out.push(`  ${screenLabel(page)}: ${problem}`);
    const element = page.runs.find((r) => r.lcpElement)?.lcpElement;
    if (element) out.push(`  ${screenLabel(page)} LCP element: ${element.slice(0, 120)}`);
  }
  return out;
}

/** Columns padded to their widest cell; the first column left-aligned, the rest right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? "").length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, col) =>
        col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function roundRow(label: string, round: RoundResult, vsFloor: string): string[] {
  return [
    label,
    String(round.requests),
    String(round.errors),
    round.rps.toFixed(1),
    round.p50Ms.toFixed(1),
    round.p95Ms.toFixed(1),
    round.appCpuMsPerRequest === null ? "-" : round.appCpuMsPerRequest.toFixed(2),
    vsFloor,
  ];
}

const loads = (values: readonly number[]) => values.map((v) => v.toFixed(2)).join(" / ");

function renderLoad(results: BenchResults): string[] {
  const out: string[] = [];
  const { floor, exchange, exchangeVsFloor } = results.best;
  const rows: string[][] = [];
  for (const round of results.rounds) {
    // A round's exchange is compared with the floor measured just before it.
    const floorOf: Record<string, string> = { exchange: "floor", status: "page-floor" };
    const pairedFloor = results.rounds.find(
      (r) => r.scenario === floorOf[round.scenario] && r.round === round.round,
    );
    const ratio =
      pairedFloor && pairedFloor.rps > 0 ? (round.rps / pairedFloor.rps).toFixed(2) : "";
    rows.push(roundRow(`${round.scenario} #${round.round}`, round, ratio));
  }
  if (floor) rows.push(roundRow("floor (best)", floor, ""));
  if (exchange) rows.push(roundRow("exchange (best)", exchange, exchangeVsFloor?.toFixed(2) ?? ""));
  const best = results.best;
  if (best.pageFloor) rows.push(roundRow("page-floor (best)", best.pageFloor, ""));
  if (best.status)
    rows.push(roundRow("status (best)", best.status, best.statusVsPageFloor?.toFixed(2) ?? ""));
  if (rows.length) {
    out.push(
      formatTable(
        [
          "scenario",
          "requests",
          "errors",
          "req/s",
          "p50 ms",
          "p95 ms",
          "app CPU ms/req",
          "vs floor",
        ],
        rows,
      ),
    );
    out.push(
      "(req/s: successful responses per second; latencies: all answered requests; app CPU: the app server process group, PostgreSQL excluded)",
    );
  } else {
    out.push("(no load rounds completed)");
  }

  const problems = [...results.warmup, ...results.rounds].filter((r) => r.errors > 0);
  for (const round of problems) {
    const label = results.warmup.includes(round)
      ? `${round.scenario} warm-up`
      : `${round.scenario} #${round.round}`;
    const kinds = Object.entries(round.errorKinds).map(([kind, n]) => `${n} × ${kind}`);
    out.push(`  errors in ${label}: ${kinds.join(", ")}`);
  }
  return out;
}

function renderClient(c: ClientCompressionResult): string[] {
  const mb = (b: number) => `${(b / 1e6).toFixed(3)} MB`;
  return [
    "Client compression (Debian Chromium, the upload screen's prepareFile, local driver):",
    formatTable(
      [
        "photo",
        "bytes",
        "size",
        "prepare ms",
        "upload → verdict ms",
        `target ≤ ${CLIENT_MAX_BYTES / 1e6} MB`,
      ],
      [
        [
          "picked (12 MP JPEG)",
          mb(c.input.bytes),
          `${c.input.width}×${c.input.height}`,
          "",
          "",
          "",
        ],
        [
          "posted by the screen",
          mb(c.output.bytes),
          `${c.output.width}×${c.output.height}`,
          c.prepareMs.toFixed(0),
          c.uploadMs.toFixed(0),
          c.pass ? "PASS" : "FAIL",
        ],
      ],
    ),
  ];
}

function renderS3(s: S3UploadResult): string[] {
  return [
    "s3 mode (s3rver; counting proxies in front of the app and the bucket; one upload of the 12 MP photo):",
    formatTable(
      ["path", "requests", "request bodies B", "headers B", "non-JSON bodies B"],
      [
        [
          "browser → app",
          String(s.app.requests),
          String(s.app.bodyBytes),
          String(s.app.headerBytes),
          String(s.app.nonJsonBodyBytes),
        ],
        [
          "browser → bucket",
          String(s.browserToBucket.requests),
          String(s.browserToBucket.bodyBytes),
          "",
          "",
        ],
        [
          "app ⇄ bucket (confirm)",
          String(s.appToBucket.requests),
          `${s.appToBucket.bodyBytes} sent, ${s.appToBucket.responseBytes} read`,
          "",
          "",
        ],
      ],
    ),
    `  document ${s.documentBytes} B; app request bodies: ${s.app.paths.join(", ") || "none"}; largest ${s.app.largestBodyBytes} B`,
    `  0 document bytes through the app: ${s.pass ? "PASS" : "FAIL"}`,
  ];
}

export function render(results: BenchResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, node ${m.node} (${m.platform})`,
  );
  const { start, end } = results.loadAverage;
  out.push(`load average (1/5/15 min): ${loads(start)} before, ${end ? loads(end) : "-"} after`);
  if ((start[0] ?? 0) > m.cores / 2) {
    out.push(
      "note: the machine was already busy before the run; throughput is noisy, app CPU ms/req much less so",
    );
  }
  const c = results.config;
  out.push(
    `load: ${c.concurrency} concurrent clients, ${c.warmupRequests} warm-up + ${c.roundsPerScenario} × ${c.requestsPerRound} requests per scenario, alternating; database ${c.databaseUrl}`,
  );
  if (results.build) {
    out.push(
      results.build.ran
        ? `build: next build took ${results.build.seconds?.toFixed(1)} s`
        : "build: reused .next/ (pass --build to rebuild)",
    );
  }
  out.push("");

  if (ran(results, "load")) out.push(...renderLoad(results), "");

  if (ran(results, "bundle")) {
    const jsRows = (
      [
        ["/inapp/kyc", results.firstLoadJs, FIRST_LOAD_JS_MAX_KIB],
        ["/inapp/kyc/upload", results.firstLoadJsUpload, UPLOAD_FIRST_LOAD_JS_MAX_KIB],
      ] as const
    ).map(([route, js, max]) =>
      js
        ? [
            js.route,
            String(js.chunks.length),
            kib(js.rawBytes).toFixed(1),
            `${kib(js.gzipBytes).toFixed(1)} ${kib(js.gzipBytes) <= max ? "PASS" : "FAIL"}`,
            `≤ ${max} KiB gzip`,
          ]
        : [route, "-", "-", "-", `≤ ${max} KiB gzip`],
    );
    out.push(formatTable(["first-load JS", "chunks", "raw KiB", "gzip KiB", "target"], jsRows));
    for (const js of [results.firstLoadJs, results.firstLoadJsUpload]) {
      if (js && js.rawBytes !== js.reportedUncompressedBytes) {
        out.push(
          `  note: ${js.route}: Next reports ${js.reportedUncompressedBytes} B uncompressed, the chunk files sum to ${js.rawBytes} B`,
        );
      }
    }
    out.push("");
  }

  if (results.lighthouse) {
    out.push(...renderLighthouse(results.lighthouse));
    out.push("");
  }
  if (results.screening) out.push(renderScreening(results.screening), "");
  if (results.documentCheck) out.push(renderDocumentBench(results.documentCheck), "");
  if (results.clientCompression) out.push(...renderClient(results.clientCompression), "");
  if (results.s3Upload) out.push(...renderS3(results.s3Upload), "");
  if (results.outbox) out.push(renderOutbox(results.outbox), "");
  if (results.hostileUploads) out.push(renderHostile(results.hostileUploads), "");
  if (results.streams) out.push(renderStreams(results.streams), "");
  if (results.traderLoad) out.push(renderTraderLoad(results.traderLoad), "");
  if (results.mrz) out.push("MRZ reads", renderMrzAccuracy(results.mrz), "");
  if (results.mrzServer) out.push("MRZ on the server", renderMrzServer(results.mrzServer), "");

  if (results.stub) {
    out.push(
      `cTrader stub: ${results.stub.redeemed} redeemed, ${results.stub.rejected} answered 404`,
    );
  }
  if (results.serverLog) {
    const log = results.serverLog;
    const problemList = Object.entries(log.problems).map(([key, n]) => `${n} × ${key}`);
    out.push(
      `server log: ${log.jsonLines} JSON lines${problemList.length ? ` (${problemList.join(", ")})` : ""}, ${log.otherLines} other lines`,
    );
    for (const sample of [...log.samples, ...log.otherSamples]) {
      out.push(`  ${sample.length > 300 ? `${sample.slice(0, 300)}…` : sample}`);
    }
  }
  for (const failure of results.failures) out.push(`failure: ${failure}`);
  out.push("");

  for (const check of results.checks)
    out.push(`${check.pass ? "PASS" : "FAIL"}  ${check.name}: ${check.detail}`);
  return out.join("\n");
}

export function writeJson(root: string, results: BenchResults): string {
  const dir = path.join(root, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "latest.json");
  writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
  return path.relative(root, file);
}
