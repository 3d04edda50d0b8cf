/**
 * `npm run bench:documents [-- --iterations=N]`
 *
 * The target: the confirm's check of a 12 MP photo (inspectDocument: sniff, header, full decode,
 * re-encode, SHA-256; then sealing the stored copy under the case key) runs at ≥ 0.8 × the throughput of a bare sharp decode + re-encode of the
 * same image (`sharp(buf).rotate().jpeg({ quality: 85 }).toBuffer()`), measured in the same run,
 * one image at a time (the wait of one upload). sharp alone: no native code of our own.
 *
 * Both places the quality raster (scores + perceptual hash) could be computed are measured:
 * - (b), what the app does: the confirm does not compute it; the checks after submit do, from
 *   the stored JPEG (lib/documents/analysis.ts) — its cost off the request path is printed too;
 * - (a), for the record: the same raster computed during the confirm, a shrink-on-load second
 *   decode of the upload beside the re-encode, as (a) would ship it.
 * One and two images in flight (a busy server on a 2-core machine). Bare and check runs
 * alternate so background load hits both alike; the medians are compared. CPU time per image is
 * printed too: it is steadier than wall time when other work shares the box.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { imageQuality } from "@/lib/documents/analysis";
import { MAX_INPUT_PIXELS } from "@/lib/documents/image-check";
import { randomBytes } from "node:crypto";
import { inspectDocument } from "@/lib/documents/inspect";
import { sealFileWithDataKey } from "@/lib/security/encryption";
import { photo12mp } from "@/tests/fixtures/documents/make-fixtures";

export const TARGET_RATIO = 0.8;

export type DocumentBenchRow = {
  /** b: the confirm as shipped; a: the confirm plus the quality raster beside the re-encode. */
  option: "b" | "a";
  inFlight: number;
  bareMs: number;
  checkMs: number;
  /** Images per second, median batch. */
  bareThroughput: number;
  checkThroughput: number;
  /** checkThroughput / bareThroughput. */
  ratio: number;
  /** CPU time per image (all threads), median batch: less sensitive to other work on the box. */
  bareCpuMs: number;
  checkCpuMs: number;
  /** Judged: option b, one image at a time; the other rows are shown for the record. */
  pass: boolean | null;
};

export type DocumentBenchResult = {
  photoBytes: number;
  iterations: number;
  sharpConcurrency: number;
  cores: number;
  rows: DocumentBenchRow[];
  /** Option b's work after submit: the quality raster of the stored JPEG, per document. */
  analysis: { storedBytes: number; wallMs: number; cpuMs: number };
  pass: boolean;
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeBatch(
  inFlight: number,
  run: () => Promise<unknown>,
): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, run));
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

export async function benchDocumentCheck(
  options: { iterations?: number } = {},
): Promise<DocumentBenchResult> {
  // 24 alternating pairs: with 8, one burst of background work moved the median ratio by ±0.05
  // between back-to-back runs on this 2-core VM; 24 keep it within about ±0.02.
  const iterations = options.iterations ?? 24;
  const photo = await photo12mp();
  const limits = { maxBytes: 10 * 1024 * 1024, maxPdfPages: 10, maxInputPixels: MAX_INPUT_PIXELS };

  const bare = () => sharp(photo).rotate().jpeg({ quality: 85 }).toBuffer();
  // The confirm also seals the stored copy under the case key (lib/documents/stored-file.ts).
  const caseKey = randomBytes(32);
  const confirm = async () => {
    const result = await inspectDocument(photo, "image/jpeg", limits);
    if (!result.ok) throw new Error(`the benchmark photo was refused: ${result.reason}`);
    sealFileWithDataKey(caseKey, result.bytes, "document:bench");
    return result;
  };
  const confirmWithRaster = () => Promise.all([confirm(), imageQuality(photo)]);

  const plan = [
    { option: "b", inFlight: 1, run: confirm, judged: true },
    { option: "b", inFlight: 2, run: confirm, judged: false },
    { option: "a", inFlight: 1, run: confirmWithRaster, judged: false },
    { option: "a", inFlight: 2, run: confirmWithRaster, judged: false },
  ] as const;
  const rows: DocumentBenchRow[] = [];
  for (const { option, inFlight, run, judged } of plan) {
    await timeBatch(inFlight, bare); // warm-up: first decode pays for library and cache setup
    await timeBatch(inFlight, run);
    const bareTimes: { wall: number; cpu: number }[] = [];
    const checkTimes: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < iterations; i++) {
      bareTimes.push(await timeBatch(inFlight, bare));
      checkTimes.push(await timeBatch(inFlight, run));
    }
    const bareMs = median(bareTimes.map((t) => t.wall)) / inFlight;
    const checkMs = median(checkTimes.map((t) => t.wall)) / inFlight;
    const ratio = bareMs / checkMs;
    rows.push({
      option,
      inFlight,
      bareMs,
      checkMs,
      bareThroughput: 1000 / bareMs,
      checkThroughput: 1000 / checkMs,
      ratio,
      bareCpuMs: median(bareTimes.map((t) => t.cpu)) / inFlight,
      checkCpuMs: median(checkTimes.map((t) => t.cpu)) / inFlight,
      pass: judged ? ratio >= TARGET_RATIO : null,
    });
  }

  const stored = (await confirm()).bytes;
  const analysisTimes: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < Math.max(5, Math.floor(iterations / 2)); i++)
    analysisTimes.push(await timeBatch(1, () => imageQuality(stored)));
  return {
    photoBytes: photo.length,
    iterations,
    sharpConcurrency: sharp.concurrency(),
    cores: os.availableParallelism(),
    rows,
    analysis: {
      storedBytes: stored.length,
      wallMs: median(analysisTimes.map((t) => t.wall)),
      cpuMs: median(analysisTimes.map((t) => t.cpu)),
    },
    pass: rows.every((r) => r.pass !== false),
  };
}

const OPTION_NAMES = { b: "b: confirm", a: "a: + raster" } as const;

export function renderDocumentBench(result: DocumentBenchResult): string {
  const lines = [
    `Document check, 12 MP photo (4000×3000 JPEG, ${(result.photoBytes / 1e6).toFixed(1)} MB), ` +
      `${result.iterations} alternating iterations, ${result.cores} cores, ` +
      `sharp.concurrency() = ${result.sharpConcurrency}`,
    "",
    "option      | in flight | bare decode+re-encode   | check                   | ratio  | CPU/img bare, check, ratio | target ≥ 0.8",
    "----------- | --------- | ----------------------- | ----------------------- | ------ | -------------------------- | ------------",
  ];
  for (const r of result.rows) {
    const cpu = `${r.bareCpuMs.toFixed(0)}, ${r.checkCpuMs.toFixed(0)} ms, ${(r.bareCpuMs / r.checkCpuMs).toFixed(3)}x`;
    lines.push(
      [
        OPTION_NAMES[r.option].padEnd(11),
        String(r.inFlight).padEnd(9),
        `${r.bareMs.toFixed(0)} ms, ${r.bareThroughput.toFixed(2)} img/s`.padEnd(23),
        `${r.checkMs.toFixed(0)} ms, ${r.checkThroughput.toFixed(2)} img/s`.padEnd(23),
        `${r.ratio.toFixed(3)}x`.padEnd(6),
        cpu.padEnd(26),
        r.pass === null ? "(info)" : r.pass ? "PASS" : "FAIL",
      ].join(" | "),
    );
  }
  const { analysis } = result;
  lines.push(
    "",
    "Judged: option b (what the app runs), one image at a time (the wait of one upload), ratio of",
    "the medians. b: inspectDocument and the seal; a: the same plus the quality raster (shrink-on-load",
    "decode of the upload, scores, dHash) beside it, as computing it during the confirm would.",
    `Option b computes the raster after submit, from the stored JPEG ` +
      `(${(analysis.storedBytes / 1e6).toFixed(1)} MB): ${analysis.wallMs.toFixed(0)} ms, ` +
      `${analysis.cpuMs.toFixed(0)} ms CPU per document, in the worker.`,
  );
  return lines.join("\n");
}

if (process.argv[1]?.endsWith("document-check.ts")) {
  const { values } = parseArgs({ options: { iterations: { type: "string" } } });
  const iterations = values.iterations ? Number(values.iterations) : undefined;
  benchDocumentCheck({ iterations })
    .then((result) => {
      console.log(renderDocumentBench(result));
      if (!result.pass) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
