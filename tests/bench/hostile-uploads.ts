/**
 * `npm run bench -- --only hostile` (opt-in: not part of a plain `npm run bench`)
 *
 * The 60-second variant of tests/scenarios/hostile-uploads.test.ts, against the built standalone
 * server over loopback: one trader loops start → upload → confirm with hostile files (PDFs whose
 * object streams inflate far beyond the budget under a plain name, `/Obj#53tm`, a dictionary the
 * byte scan cannot see and a cross-reference stream; a PDF pdf-lib parses for a second before its
 * /OpenAction is refused; a 100 MP PNG; a HEIC claiming 48 MP) while another trader loads its
 * status screen and the health check. Targets:
 * - every hostile confirm answers 422 (refused, never accepted, never 5xx), and once the
 *   refusals have spent the case's file limit every start answers 409;
 * - the other trader's requests: p95 < 1 s, no errors;
 * - the server's RSS stays under RSS_CEILING_MB;
 * - no stored object without a row in `documents`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import * as fx from "@/tests/fixtures/documents/make-fixtures";
import { storedDocumentIds } from "@/tests/helpers/stored-documents";
import { randomBytes } from "node:crypto";
import { FRESH_TRADER_TOKEN_PREFIX } from "./ctrader-stub";
import type { Check } from "./report";
import { fetchWindowRef, WINDOW_HEADER } from "./trader-window";

export const HOSTILE_DURATION_MS = 60_000;
export const OTHERS_P95_MAX_MS = 1_000;
/** The server's RSS while hostile files are checked (its idle RSS is about 200 MB). */
export const RSS_CEILING_MB = 768;

export type HostileBenchResult = {
  durationS: number;
  hostile: { uploads: number; answers: Record<string, number> };
  others: { requests: number; errors: number; p95Ms: number };
  rssMb: { start: number; peak: number };
  orphans: string[];
};

export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** A fresh data directory for the server this section starts (DATA_DIR). */
export function hostileDataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), "kyc-bench-hostile-"));
}

/** A trader's session cookie and the reference its upload screen carries (trader-window.ts). */
export type TraderSession = { cookie: string; window: string };

/** A session of a trader new to the database (a draft case that accepts documents). */
export async function freshSession(baseUrl: string): Promise<TraderSession> {
  const token = `${FRESH_TRADER_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const response = await fetch(`${baseUrl}/inapp/kyc?token=${token}&lang=en`, {
    redirect: "manual",
  });
  await response.arrayBuffer();
  const cookie = /__Host-kyc_session=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error(`no session cookie (HTTP ${response.status})`);
  // The upload screen the uploads below are sent from.
  return {
    cookie,
    window: await fetchWindowRef(baseUrl, cookie, "/inapp/kyc/upload?documentType=address"),
  };
}

export type UploadAnswer = {
  /** The confirm's HTTP status; 1xxx: the start refused it, 2xxx: storage did. */
  status: number;
  /** Wall time of the confirm request alone (the server's document check), when it was sent. */
  confirmMs: number | null;
};

/** One upload as the screen sends it: start, the multipart POST, confirm. */
export async function uploadOnce(
  baseUrl: string,
  session: TraderSession,
  file: { bytes: Buffer; type: string },
  signal: AbortSignal,
  slot: { documentType: string; side: string } = { documentType: "address", side: "page" },
): Promise<UploadAnswer> {
  const headers = {
    cookie: session.cookie,
    origin: baseUrl,
    "sec-fetch-site": "same-origin",
    [WINDOW_HEADER]: session.window,
  };
  const started = await fetch(`${baseUrl}/api/inapp/documents`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({
      ...slot,
      contentType: file.type,
      size: file.bytes.length,
      fileName: "statement.pdf",
    }),
    signal,
  });
  const form = (await started.json()) as {
    documentId?: string;
    upload?: { url: string; fields: Record<string, string> };
  };
  if (started.status !== 201 || !form.documentId || !form.upload)
    return { status: Number(`1${started.status}`), confirmMs: null };
  const body = new FormData();
  for (const [k, v] of Object.entries(form.upload.fields)) body.append(k, v);
  body.append("file", new Blob([new Uint8Array(file.bytes)], { type: file.type }), "file");
  const posted = await fetch(new URL(form.upload.url, baseUrl), { method: "POST", body, signal });
  await posted.arrayBuffer();
  if (posted.status >= 300) return { status: Number(`2${posted.status}`), confirmMs: null };
  const confirmStarted = performance.now();
  const confirmed = await fetch(`${baseUrl}/api/inapp/documents/${form.documentId}/confirm`, {
    method: "POST",
    headers,
    signal,
  });
  await confirmed.arrayBuffer();
  return { status: confirmed.status, confirmMs: performance.now() - confirmStarted };
}

export async function benchHostileUploads(options: {
  baseUrl: string;
  serverPid: number;
  dataDir: string;
  databaseUrl: string;
  durationMs?: number;
  signal: AbortSignal;
}): Promise<HostileBenchResult> {
  const { baseUrl, signal } = options;
  const files = fx.hostileUploads();
  const hostileSession = await freshSession(baseUrl);
  const otherSession = await freshSession(baseUrl);
  const rssStart = rssMbOf(options.serverPid);
  let rssPeak = rssStart;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMbOf(options.serverPid));
  }, 100);
  const started = performance.now();
  const deadline = started + (options.durationMs ?? HOSTILE_DURATION_MS);
  const answers: Record<string, number> = {};
  let uploads = 0;
  const latencies: number[] = [];
  let errors = 0;
  try {
    const hostile = (async () => {
      for (let i = 0; performance.now() < deadline && !signal.aborted; i++) {
        const file = files[i % files.length]!;
        const { status } = await uploadOnce(baseUrl, hostileSession, file, signal);
        const key = `${file.name}: ${status}`;
        answers[key] = (answers[key] ?? 0) + 1;
        uploads += 1;
      }
    })();
    const other = (async () => {
      while (performance.now() < deadline && !signal.aborted) {
        for (const [url, cookie] of [
          [`${baseUrl}/inapp/kyc/status`, otherSession.cookie],
          [`${baseUrl}/api/health`, ""],
        ] as const) {
          const t = performance.now();
          try {
            const response = await fetch(url, { headers: { cookie }, signal });
            await response.arrayBuffer();
            if (response.status !== 200) errors += 1;
          } catch {
            errors += 1;
          }
          latencies.push(performance.now() - t);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await Promise.all([hostile, other]);
  } finally {
    clearInterval(sampler);
  }
  return {
    durationS: (performance.now() - started) / 1000,
    hostile: { uploads, answers },
    others: { requests: latencies.length, errors, p95Ms: percentile(latencies, 95) },
    rssMb: { start: rssStart, peak: rssPeak },
    orphans: await orphansIn(path.join(options.dataDir, "documents"), options.databaseUrl),
  };
}

/** Stored objects whose document id has no row. */
async function orphansIn(root: string, databaseUrl: string): Promise<string[]> {
  const ids = storedDocumentIds(root);
  if (ids.length === 0) return [];
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ id: string }[]>`select id from documents where id in ${sql(ids)}`;
    const known = new Set(rows.map((r) => r.id));
    return ids.filter((id) => !known.has(id));
  } finally {
    await sql.end();
  }
}

export function hostileChecks(result: HostileBenchResult): Check[] {
  // Refused at the confirm (422), or, once the refusals have spent the case's file limit (they
  // count for an hour), refused at the start (409, written 1409): never accepted, never 5xx.
  const answers = Object.entries(result.hostile.answers);
  const refused = answers.every(([key]) => key.endsWith(": 422") || key.endsWith(": 1409"));
  const eachConfirmed = answers.filter(([key]) => key.endsWith(": 422")).length;
  return [
    {
      name: "hostile uploads: every file refused (422 at the confirm, 409 once the limit is spent)",
      pass: refused && eachConfirmed > 0 && result.hostile.uploads > 0,
      detail: `${result.hostile.uploads} uploads in ${result.durationS.toFixed(0)} s`,
    },
    {
      name: `hostile uploads: other trader's p95 < ${OTHERS_P95_MAX_MS} ms, 0 errors`,
      pass: result.others.p95Ms < OTHERS_P95_MAX_MS && result.others.errors === 0,
      detail: `p95 ${result.others.p95Ms.toFixed(0)} ms over ${result.others.requests} requests, ${result.others.errors} errors`,
    },
    {
      name: `hostile uploads: server RSS ≤ ${RSS_CEILING_MB} MB`,
      pass: result.rssMb.peak <= RSS_CEILING_MB,
      detail: `${result.rssMb.start.toFixed(0)} MB at start, ${result.rssMb.peak.toFixed(0)} MB peak`,
    },
    {
      name: "hostile uploads: no stored object without a row",
      pass: result.orphans.length === 0,
      detail: result.orphans.length ? result.orphans.join(", ") : "none",
    },
  ];
}

export function renderHostile(result: HostileBenchResult): string {
  const lines = [
    `Hostile uploads, ${result.durationS.toFixed(0)} s: ${result.hostile.uploads} uploads by one trader`,
  ];
  for (const [key, count] of Object.entries(result.hostile.answers))
    lines.push(`  ${key} × ${count}`);
  lines.push(
    `Other trader: ${result.others.requests} requests, p95 ${result.others.p95Ms.toFixed(0)} ms, ${result.others.errors} errors`,
    `Server RSS: ${result.rssMb.start.toFixed(0)} MB → peak ${result.rssMb.peak.toFixed(0)} MB`,
    `Objects without a row: ${result.orphans.length}`,
  );
  return lines.join("\n");
}

export function removeHostileDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
