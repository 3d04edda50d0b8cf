/**
 * `npm run bench:mrz`: the MRZ reader's read rate, field accuracy and time per document on
 * synthetic passports and identity cards (tests/fixtures/mrz/synth.ts) under the conditions a
 * phone photo brings: resolution, tilt, sideways and upside-down pages, blur, JPEG compression.
 * A read counts when every check digit agreed; a field is accurate when it equals what was
 * printed. Time is wall time per document with one OCR worker thread (readMrz called directly).
 *
 * `--part=server` (or `--part=all`) then runs mrz-confirms.ts: the read through the path
 * production runs it, on a production build, and the upload confirm's p95 while OCR runs.
 * `--part=accuracy` (the default) runs the table above alone; `--database=URL` names the
 * server part's database (default postgres://postgres@127.0.0.1:5432/kyc_bench_mrz);
 * `--root=DIR` runs the production build of another checkout (an earlier commit, to compare).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os, { cpus } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { closeMrzReader, readMrz } from "@/lib/documents/mrz-read";
import { mrzName } from "@/lib/documents/mrz-names";
import { renderDocument, SAMPLE_PEOPLE, type RenderOptions } from "../fixtures/mrz/synth";
import {
  buildIfNeeded,
  ensureDatabase,
  freePort,
  startAppServer,
  waitForHealth,
  type AppServer,
} from "./app-server";
import { startCtraderStub, type CtraderStub } from "./ctrader-stub";
import { benchMrzServer, renderMrzServer } from "./mrz-confirms";
import type { ManagedProcess } from "./processes";

const CONDITIONS: { name: string; options: Omit<RenderOptions, "kind"> }[] = [
  { name: "1000 px, clean", options: { width: 1000 } },
  { name: "1600 px, JPEG q60", options: { width: 1600, jpegQuality: 60 } },
  { name: "700 px", options: { width: 700 } },
  { name: "tilted 3°", options: { width: 1200, rotate: 3 } },
  { name: "sideways (90°)", options: { width: 1200, rotate: 90 } },
  { name: "upside down (180°)", options: { width: 1200, rotate: 180 } },
  { name: "blur σ 1.2", options: { width: 1200, blurSigma: 1.2 } },
  {
    name: "tilted −4°, blur σ 0.8, q70",
    options: { width: 1200, rotate: -4, blurSigma: 0.8, jpegQuality: 70 },
  },
];

const yymmdd = (iso: string) => iso.replace(/-/g, "").slice(2);

async function accuracy() {
  const rows: string[] = [];
  let reads = 0;
  let total = 0;
  const allTimes: number[] = [];
  await readMrz(await renderDocument(SAMPLE_PEOPLE[0]!, { kind: "passport" })); // load the worker
  for (const condition of CONDITIONS) {
    let read = 0;
    let fieldsRight = 0;
    let fieldsSeen = 0;
    const times: number[] = [];
    for (const person of SAMPLE_PEOPLE)
      for (const kind of ["passport", "id_card"] as const) {
        const image = await renderDocument(person, { kind, ...condition.options });
        const started = performance.now();
        const result = await readMrz(image);
        times.push(performance.now() - started);
        if (result.status !== "read") continue;
        read++;
        const expected = {
          surnames: mrzName(person.surnames),
          givenNames: mrzName(person.givenNames),
          documentNumber: person.documentNumber,
          dateOfBirth: yymmdd(person.dateOfBirth),
          expiryDate: yymmdd(person.expiryDate),
          nationality: person.nationality.replace(/</g, ""),
        };
        for (const [field, value] of Object.entries(expected)) {
          fieldsSeen++;
          if (
            result.fields[field as keyof typeof expected].replace(/</g, "") ===
            value.replace(/</g, "")
          )
            fieldsRight++;
        }
      }
    times.sort((a, b) => a - b);
    allTimes.push(...times);
    reads += read;
    total += times.length;
    const mean = times.reduce((s, t) => s + t, 0) / times.length;
    const p95 = times[Math.min(times.length - 1, Math.floor(times.length * 0.95))]!;
    rows.push(
      `| ${condition.name} | ${read}/${times.length} | ${fieldsSeen ? ((100 * fieldsRight) / fieldsSeen).toFixed(1) : "—"} % | ${(mean / 1000).toFixed(1)} s | ${(p95 / 1000).toFixed(1)} s |`,
    );
    console.error(rows.at(-1));
  }
  allTimes.sort((a, b) => a - b);
  console.log(
    `machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    "| condition | read (check digits valid) | fields right of those read | mean | p95 |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const row of rows) console.log(row);
  console.log(
    `| **all** | **${reads}/${total} (${((100 * reads) / total).toFixed(0)} %)** | | ${(allTimes.reduce((s, t) => s + t, 0) / allTimes.length / 1000).toFixed(1)} s | ${(allTimes[Math.floor(allTimes.length * 0.95)]! / 1000).toFixed(1)} s |`,
  );
  await closeMrzReader();
}

const MANAGER_TOKEN = "bench-manager";

/** The server part: a production build with MRZ_CHECK=1 on a data directory of its own. */
async function server(databaseUrl: string, root: string): Promise<boolean> {
  const stop = new AbortController();
  let build: ManagedProcess | undefined;
  let stub: CtraderStub | undefined;
  let app: AppServer | undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "kyc-bench-mrz-"));
  const abort = () => stop.abort(new Error("interrupted"));
  process.once("SIGINT", abort);
  try {
    await buildIfNeeded(root, false, (child) => (build = child));
    await ensureDatabase(databaseUrl);
    stub = await startCtraderStub({ managerToken: MANAGER_TOKEN, distinctUsers: 100 });
    app = startAppServer({
      root,
      port: await freePort(),
      databaseUrl,
      ctraderUrl: stub.url,
      managerToken: MANAGER_TOKEN,
      appSecret: randomBytes(32).toString("hex"),
      extraEnv: { DATA_DIR: dataDir, MRZ_CHECK: "1" },
    });
    await waitForHealth(app, 120_000);
    const result = await benchMrzServer({ baseUrl: app.baseUrl, databaseUrl, signal: stop.signal });
    console.log(
      `\nmachine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ` +
        `load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}`,
    );
    console.log(renderMrzServer(result));
    return result.pass;
  } finally {
    await Promise.allSettled([build?.stop(), app?.process.stop()]);
    await stub?.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      part: { type: "string", default: "accuracy" },
      database: { type: "string" },
      root: { type: "string" },
    },
  });
  const part = values.part ?? "accuracy";
  if (!["accuracy", "server", "all"].includes(part))
    throw new Error(`--part: accuracy, server or all, not ${part}`);
  if (part !== "server") await accuracy();
  if (part !== "accuracy") {
    const databaseUrl = values.database ?? "postgres://postgres@127.0.0.1:5432/kyc_bench_mrz";
    const root = path.resolve(values.root ?? process.cwd());
    if (!(await server(databaseUrl, root))) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
