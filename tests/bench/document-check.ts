/**
 * `npm run bench:documents [-- --iterations=N]`
 *
 * Issue 4's target: the server check of a 12 MP photo (inspectDocument: sniff, decode, score,
 * hash, re-encode, SHA-256) runs at ≥ 0.8 × the throughput of a bare sharp decode + re-encode
 * of the same image (`sharp(buf).rotate().jpeg({ quality: 85 }).toBuffer()`), measured in the
 * same run. Judged on the path the deployment runs: the one-decode path (native/kyc-image) when it
 * is built, else the sharp path. Measured one image at a time (the latency a trader waits for)
 * and two at a time (a busy server on this 2-core machine: shown for the record); the sharp path
 * is measured too, one at a time, for the record (what a deployment without the addon gets). Bare
 * and check runs alternate so background load hits both alike; the medians are compared. CPU
 * time per image is printed too: it is steadier than wall time when other work shares the box.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { boxGeometry } from "@/lib/documents/box-raster";
import { loadImageAccelerator, type ImageAccelerator } from "@/lib/documents/image-accelerator";
import { inspectDocument } from "@/lib/documents/inspect";
import { MAX_INPUT_PIXELS, decodeOptions, sharpBoxRaster } from "@/lib/documents/image-check";
import { scoreColourRaster } from "@/lib/documents/quality";
import { photo12mp } from "@/tests/fixtures/documents/make-fixtures";

export const TARGET_RATIO = 0.8;

export type DocumentBenchRow = {
  /** "one decode" (native/kyc-image) or "sharp" (two decodes). */
  path: "one decode" | "sharp";
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
  /** Judged: the deployed path, one image at a time; the other rows are shown for the record. */
  pass: boolean | null;
};

/**
 * Where the sharp path's CPU beyond a bare re-encode goes, each part measured on its own: the
 * second, full decode that yields the quality raster (with its box average), and the JS scoring
 * pass. `cpuCeiling` is the ratio that path could reach if nothing but that second decode were
 * added: the reason the one-decode path exists.
 */
export type DocumentCpuAccounting = {
  rasterDecodeCpuMs: number;
  scoringMs: number;
  cpuCeiling: number;
};

export type DocumentBenchResult = {
  photoBytes: number;
  /** libvips version of the one-decode addon, or why it is not used. */
  accelerator: { loaded: true; libvips: string } | { loaded: false };
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
  options: { iterations?: number; accelerator?: ImageAccelerator | null } = {},
): Promise<DocumentBenchResult> {
  // 24 alternating pairs: with 8, one burst of background work moved the median ratio by ±0.05
  // between back-to-back runs on this 2-core VM; 24 keep it within about ±0.02.
  const iterations = options.iterations ?? 24;
  const accelerator =
    options.accelerator === undefined ? loadImageAccelerator("auto") : options.accelerator;
  const photo = await photo12mp();
  const limits = { maxBytes: 10 * 1024 * 1024, maxPdfPages: 10, maxInputPixels: MAX_INPUT_PIXELS };

  const bare = () => sharp(photo).rotate().jpeg({ quality: 85 }).toBuffer();
  const checkWith = (chosen: ImageAccelerator | null) => async () => {
    const result = await inspectDocument(photo, "image/jpeg", { ...limits, accelerator: chosen });
    if (!result.ok) throw new Error(`the benchmark photo was refused: ${result.reason}`);
    return result;
  };

  const plan: { path: DocumentBenchRow["path"]; inFlight: number; judged: boolean }[] = accelerator
    ? [
        { path: "one decode", inFlight: 1, judged: true },
        { path: "one decode", inFlight: 2, judged: false },
        { path: "sharp", inFlight: 1, judged: false },
      ]
    : [
        { path: "sharp", inFlight: 1, judged: true },
        { path: "sharp", inFlight: 2, judged: false },
      ];
  const rows: DocumentBenchRow[] = [];
  for (const { path, inFlight, judged } of plan) {
    const check = checkWith(path === "one decode" ? accelerator : null);
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
      path,
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
  const meta = await sharp(photo).metadata();
  const { factor } = boxGeometry(meta.width, meta.height);
  const rasterDecode = () =>
    sharpBoxRaster(
      sharp(photo, decodeOptions(MAX_INPUT_PIXELS)),
      factor,
      meta.width * meta.height * 3,
    );
  const raster = await rasterDecode();
  const decodeTimes: number[] = [];
  const scoringTimes: number[] = [];
  for (let i = 0; i < Math.max(5, Math.floor(iterations / 2)); i++) {
    decodeTimes.push((await timeBatch(1, rasterDecode)).cpu);
    const start = performance.now();
    scoreColourRaster(raster.data, raster.width, raster.height, raster.channels);
    scoringTimes.push(performance.now() - start);
  }
  const bareCpu = rows[0]?.bareCpuMs ?? NaN;
  const rasterDecodeCpuMs = median(decodeTimes);
  return {
    photoBytes: photo.length,
    accelerator: accelerator
      ? { loaded: true, libvips: accelerator.libvipsVersion }
      : { loaded: false },
    iterations,
    sharpConcurrency: sharp.concurrency(),
    cores: os.availableParallelism(),
    rows,
    accounting: {
      rasterDecodeCpuMs,
      scoringMs: median(scoringTimes),
      cpuCeiling: bareCpu / (bareCpu + rasterDecodeCpuMs),
    },
    pass: rows.every((r) => r.pass !== false),
  };
}

export function renderDocumentBench(result: DocumentBenchResult): string {
  const lines = [
    `Document check, 12 MP photo (4000×3000 JPEG, ${(result.photoBytes / 1e6).toFixed(1)} MB), ` +
      `${result.iterations} alternating iterations, ${result.cores} cores, ` +
      `sharp.concurrency() = ${result.sharpConcurrency}, one-decode addon: ` +
      (result.accelerator.loaded
        ? `built for libvips ${result.accelerator.libvips}`
        : "NOT BUILT (npm run build:native): the sharp path is judged"),
    "",
    "path       | in flight | bare decode+re-encode   | inspectDocument         | ratio  | CPU/img bare, check, ratio | target ≥ 0.8",
    "---------- | --------- | ----------------------- | ----------------------- | ------ | -------------------------- | ------------",
  ];
  for (const r of result.rows) {
    const cpu = `${r.bareCpuMs.toFixed(0)}, ${r.checkCpuMs.toFixed(0)} ms, ${(r.bareCpuMs / r.checkCpuMs).toFixed(3)}x`;
    lines.push(
      [
        r.path.padEnd(10),
        String(r.inFlight).padEnd(9),
        `${r.bareMs.toFixed(0)} ms, ${r.bareThroughput.toFixed(2)} img/s`.padEnd(23),
        `${r.checkMs.toFixed(0)} ms, ${r.checkThroughput.toFixed(2)} img/s`.padEnd(23),
        `${r.ratio.toFixed(3)}x`.padEnd(6),
        cpu.padEnd(26),
        r.pass === null ? "(info)" : r.pass ? "PASS" : "FAIL",
      ].join(" | "),
    );
  }
  const { rasterDecodeCpuMs, scoringMs, cpuCeiling } = result.accounting;
  const bareCpu = result.rows[0]?.bareCpuMs ?? NaN;
  lines.push(
    "",
    "Judged: the deployed path, one image at a time (the wait of one upload), ratio of the medians.",
    "one decode: native/kyc-image re-encodes as sharp does and box-averages the quality raster",
    "from the same decode; sharp: the re-encode plus a second, full decode for the raster.",
    `The sharp path's raster decode costs ${rasterDecodeCpuMs.toFixed(0)} ms CPU on its own, the ` +
      `scoring pass ${scoringMs.toFixed(1)} ms: with two decodes the CPU ratio cannot exceed ` +
      `${cpuCeiling.toFixed(3)}x against a bare re-encode of ${bareCpu.toFixed(0)} ms.`,
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
