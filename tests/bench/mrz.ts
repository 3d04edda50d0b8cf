/**
 * `npm run bench:mrz`: the MRZ reader's read rate, field accuracy and time per document
 * (mrz-reads.ts). `npm run bench` runs the same two parts as its sections `mrz` and `mrz-server`.
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
import { benchMrzAccuracy, mrzChecks, renderMrzAccuracy } from "./mrz-reads";
import type { ManagedProcess } from "./processes";

async function accuracy() {
  const result = await benchMrzAccuracy((row) => console.error(row));
  console.log(
    `machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, Node ${process.version}, ` +
      `load average ${loadAverage()}`,
  );
  console.log(renderMrzAccuracy(result));
  for (const check of mrzChecks(result, null)) {
    console.log(`${check.pass ? "PASS" : "FAIL"}  ${check.name}: ${check.detail}`);
    if (!check.pass) process.exitCode = 1;
  }
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

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
        `load average ${loadAverage()}`,
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
