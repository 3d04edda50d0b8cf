/**
 * `npm run bench:documents [-- --iterations=N]`
 *
 * Issue 4's target: the server check of a 12 MP photo (inspectDocument: sniff, decode, score,
 * hash, re-encode, SHA-256) runs at ≥ 0.8 × the throughput of a bare sharp decode + re-encode
 * of the same image (`sharp(buf).rotate().jpeg({ quality: 85 }).toBuffer()`), measured in the
 * same run. Both are measured one image at a time (the latency a trader waits for) and two at a
 * time (a busy server on this 2-core machine, where the check's second pipeline can no longer
 * borrow an idle core; shown for the record, not judged). Bare and check runs alternate so
 * background load hits both alike; the medians are compared. CPU time per image is printed too:
 * it is steadier than wall time when other work shares the machine.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { inspectDocument } from "@/lib/documents/inspect";
import { MAX_INPUT_PIXELS, decodeOptions, qualityRaster } from "@/lib/documents/image-check";
import { scoreColourRaster } from "@/lib/documents/quality";
import { photo12mp } from "@/tests/fixtures/documents/make-fixtures";

export const TARGET_RATIO = 0.8;

export type DocumentBenchRow = {
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
  /** The target is judged on one image at a time; two at a time is shown for the record. */
  pass: boolean | null;
};

/**
 * Where the check's CPU beyond a bare re-encode goes, each part measured on its own: the reduced
 * second decode that yields the quality raster, and the JS pass over it. `cpuCeiling` is the
 * ratio the check could reach if nothing but that second decode were added to the bare
 * pipeline's CPU: the throughput ratio on a saturated machine cannot exceed it.
 */
export type DocumentCpuAccounting = {
  reducedDecodeCpuMs: number;
  scoringMs: number;
  cpuCeiling: number;
};

export type DocumentBenchResult = {
  photoBytes: number;
  iterations: number;
  sharpConcurrency: number;
  cores: number;
  rows: DocumentBenchRow[];
  accounting: DocumentCpuAccounting;
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
  options: { iterations?: number; inFlight?: number[] } = {},
): Promise<DocumentBenchResult> {
  // 24 alternating pairs (~15 s): with 8, one burst of background work moved the median ratio by
  // ±0.05 between back-to-back runs on this 2-core VM; 24 keep it within about ±0.02.
  const iterations = options.iterations ?? 24;
  const photo = await photo12mp();
  const limits = { maxBytes: 10 * 1024 * 1024, maxPdfPages: 10, maxInputPixels: MAX_INPUT_PIXELS };

  const bare = () => sharp(photo).rotate().jpeg({ quality: 85 }).toBuffer();
  const check = async () => {
    const result = await inspectDocument(photo, "image/jpeg", limits);
    if (!result.ok) throw new Error(`the benchmark photo was refused: ${result.reason}`);
    return result;
  };

  const rows: DocumentBenchRow[] = [];
  for (const inFlight of options.inFlight ?? [1, 2]) {
    await timeBatch(inFlight, bare); // warm-up: first decode pays for library and cache setup
    await timeBatch(inFlight, check);
    const bareTimes: { wall: number; cpu: number }[] = [];
    const checkTimes: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < iterations; i++) {
      bareTimes.push(await timeBatch(inFlight, bare));
      checkTimes.push(await timeBatch(inFlight, check));
    }
    const bareMs = median(bareTimes.map((t) => t.wall)) / inFlight;
    const checkMs = median(checkTimes.map((t) => t.wall)) / inFlight;
    const ratio = bareMs / checkMs;
    rows.push({
      inFlight,
      bareMs,
      checkMs,
      bareThroughput: 1000 / bareMs,
      checkThroughput: 1000 / checkMs,
      ratio,
      bareCpuMs: median(bareTimes.map((t) => t.cpu)) / inFlight,
      checkCpuMs: median(checkTimes.map((t) => t.cpu)) / inFlight,
      pass: inFlight === 1 ? ratio >= TARGET_RATIO : null,
    });
  }
  const reduced = () => qualityRaster(sharp(photo, decodeOptions(MAX_INPUT_PIXELS)));
  const raster = await reduced();
  const reducedTimes: number[] = [];
  const scoringTimes: number[] = [];
  for (let i = 0; i < Math.max(5, Math.floor(iterations / 2)); i++) {
    reducedTimes.push((await timeBatch(1, reduced)).cpu);
    const start = performance.now();
    scoreColourRaster(raster.data, raster.info.width, raster.info.height, raster.info.channels);
    scoringTimes.push(performance.now() - start);
  }
  const bareCpu = rows[0]?.bareCpuMs ?? NaN;
  const reducedDecodeCpuMs = median(reducedTimes);
  const accounting = {
    reducedDecodeCpuMs,
    scoringMs: median(scoringTimes),
    cpuCeiling: bareCpu / (bareCpu + reducedDecodeCpuMs),
  };
  return {
    photoBytes: photo.length,
    iterations,
    sharpConcurrency: sharp.concurrency(),
    cores: os.availableParallelism(),
    rows,
    accounting,
    pass: rows.every((r) => r.pass !== false),
  };
}

export function renderDocumentBench(result: DocumentBenchResult): string {
  const lines = [
    `Document check, 12 MP photo (4000×3000 JPEG, ${(result.photoBytes / 1e6).toFixed(1)} MB), ` +
      `${result.iterations} alternating iterations, ${result.cores} cores, ` +
      `sharp.concurrency() = ${result.sharpConcurrency}`,
    "",
    "in flight | bare decode+re-encode   | inspectDocument         | ratio  | CPU/img bare, check, ratio | target ≥ 0.8",
    "--------- | ----------------------- | ----------------------- | ------ | -------------------------- | ------------",
  ];
  for (const r of result.rows) {
    const cpu = `${r.bareCpuMs.toFixed(0)}, ${r.checkCpuMs.toFixed(0)} ms, ${(r.bareCpuMs / r.checkCpuMs).toFixed(3)}x`;
    lines.push(
      [
        String(r.inFlight).padEnd(9),
        `${r.bareMs.toFixed(0)} ms, ${r.bareThroughput.toFixed(2)} img/s`.padEnd(23),
        `${r.checkMs.toFixed(0)} ms, ${r.checkThroughput.toFixed(2)} img/s`.padEnd(23),
        `${r.ratio.toFixed(3)}x`.padEnd(6),
        cpu.padEnd(26),
        r.pass === null ? "(info)" : r.pass ? "PASS" : "FAIL",
      ].join(" | "),
    );
  }
  const { reducedDecodeCpuMs, scoringMs, cpuCeiling } = result.accounting;
  const bareCpu = result.rows[0]?.bareCpuMs ?? NaN;
  lines.push(
    "",
    "Target: one image at a time (the wait of one upload), throughput ratio of the medians.",
    "Two at a time saturates both cores: the check's second, reduced decode then costs in full.",
    `CPU beyond the bare re-encode (${bareCpu.toFixed(0)} ms): the quality raster's reduced decode ` +
      `${reducedDecodeCpuMs.toFixed(0)} ms (its entropy decoding reads the whole file), the scoring ` +
      `pass ${scoringMs.toFixed(1)} ms. With two decodes the CPU ratio cannot exceed ` +
      `${cpuCeiling.toFixed(3)}x; one at a time, the rest is what the second core absorbs.`,
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
