/**
 * The app under test: built once with `npm run build`, run as the standalone server against PostgreSQL,
 * exactly as production runs it (NODE_ENV=production, real secrets, remote cTrader).
 */
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import postgres from "postgres";
import { LineTail, startProcess, type ManagedProcess } from "./processes";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

export type BuildOutcome = { ran: boolean; seconds: number | null };

/**
 * Runs `npm run build` (next build + the standalone server's files) when there is no standalone
 * build yet (or when forced). The output is kept and
 * shown only if the build fails; `register` lets the caller stop the build on a timeout.
 */
export async function buildIfNeeded(
  root: string,
  force: boolean,
  register: (child: ManagedProcess) => void,
): Promise<BuildOutcome> {
  if (!force && existsSync(path.join(root, ".next", "standalone", "drizzle")))
    return { ran: false, seconds: null };
  const tail = new LineTail(60);
  const started = performance.now();
  const child = startProcess(
    "npm",
    ["run", "build"],
    { cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } },
    (_stream, line) => tail.push(line),
  );
  register(child);
  const code = await child.exited;
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0)
    throw new Error(
      `next build failed (exit ${code}) after ${seconds.toFixed(1)} s:\n${tail.text()}`,
    );
  return { ran: true, seconds };
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Creates the benchmark database if it does not exist, through the `postgres` maintenance
 * database on the same server. Existing data is kept: the app migrates on start.
 */
export async function ensureDatabase(
  databaseUrl: string,
): Promise<{ name: string; created: boolean }> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!name) throw new Error(`database URL names no database: ${url.origin}`);
  url.pathname = "/postgres";
  const sql = postgres(url.toString(), { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return { name, created: false };
    try {
      await sql.unsafe(`create database ${quoteIdentifier(name)}`);
    } catch (error) {
      // 42P04 duplicate_database: another run created it between the check and now.
      if ((error as { code?: string }).code === "42P04") return { name, created: false };
      throw error;
    }
    return { name, created: true };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/**
 * What the server wrote. App lines are JSON ({level, event, …}) and are counted, not printed;
 * warnings and errors keep a few samples so a misbehaving app can be reported precisely.
 */
export class ServerLog {
  jsonLines = 0;
  otherLines = 0;
  readonly byLevel: Record<string, number> = {};
  /** "level event" → count, for warn and error lines. */
  readonly problems: Record<string, number> = {};
  readonly samples: string[] = [];
  readonly otherSamples: string[] = [];
  readonly tail = new LineTail(40);

  add(line: string): void {
    this.tail.push(line);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== "object" || parsed === null || !("level" in parsed)) {
      if (!line.trim()) return;
      this.otherLines += 1;
      // Next's own warnings (⚠ …) and stack traces are not JSON; keep the first few.
      if (/⚠|error/i.test(line) && this.otherSamples.length < 5)
        this.otherSamples.push(line.trim());
      return;
    }
    this.jsonLines += 1;
    const level = String(parsed.level);
    this.byLevel[level] = (this.byLevel[level] ?? 0) + 1;
    if (level === "warn" || level === "error") {
      const event = "event" in parsed ? String(parsed.event) : "?";
      const key = `${level} ${event}`;
      const seen = this.problems[key] ?? 0;
      this.problems[key] = seen + 1;
      // One sample per kind of problem: a flood of one warning must not hide a rarer one.
      if (seen === 0 && this.samples.length < 10) this.samples.push(line);
    }
  }

  toJSON() {
    return {
      jsonLines: this.jsonLines,
      otherLines: this.otherLines,
      byLevel: this.byLevel,
      problems: this.problems,
      samples: this.samples,
      otherSamples: this.otherSamples,
    };
  }
}

export type AppServer = { baseUrl: string; process: ManagedProcess; log: ServerLog };

export type AppServerOptions = {
  root: string;
  port: number;
  databaseUrl: string;
  ctraderUrl: string;
  managerToken: string;
  appSecret: string;
  /** Set after the defaults: e.g. the s3 storage variables for the s3-mode server. */
  extraEnv?: Record<string, string>;
};

/** Variables lib/env.ts reads: cleared first so the caller's shell cannot change the setup. */
const APP_VARIABLES = [
  "NODE_ENV",
  "DATABASE_URL",
  "DATA_DIR",
  "PORT",
  "PUBLIC_BASE_URL",
  "IDENTITY_MODE",
  "CTRADER_API_URL",
  "CTRADER_MANAGER_TOKEN",
  "CTRADER_REDEEM_API",
  "CTRADER_TIMEOUT_MS",
  "CRM_API_PASSWORD",
  "CRM_API_TOKEN_TTL_DAYS",
  "APP_SECRET",
  "FRAME_ANCESTORS",
  "CLOSE_URL",
  "SESSION_IDLE_MINUTES",
  "SESSION_ABSOLUTE_MINUTES",
  "DEV_SIMULATOR",
  "BENCH_ROUTES",
  "BROKER_NAME",
  "LOG_LEVEL",
  "STORAGE_DRIVER",
  "S3_BUCKET",
  "S3_REGION",
  "S3_ENDPOINT",
  "S3_FORCE_PATH_STYLE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
];

export function startAppServer(options: AppServerOptions): AppServer {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of APP_VARIABLES) delete env[name];
  Object.assign(env, {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_SECRET: options.appSecret,
    DATABASE_URL: options.databaseUrl,
    BENCH_ROUTES: "1",
    PUBLIC_BASE_URL: `http://127.0.0.1:${options.port}`,
    CTRADER_API_URL: options.ctraderUrl,
    CTRADER_MANAGER_TOKEN: options.managerToken,
    PORT: String(options.port),
    // Bound to one address, as in most containers (this once broke the token exchange).
    HOSTNAME: "127.0.0.1",
    LOG_LEVEL: "warn",
    ...options.extraEnv,
  });
  const log = new ServerLog();
  // The production server exactly as `npm start` and the Dockerfile run it.
  const child = startProcess(
    process.execPath,
    [path.join(options.root, ".next", "standalone", "server.js")],
    { cwd: options.root, env },
    (_stream, line) => log.add(line),
  );
  return { baseUrl: `http://127.0.0.1:${options.port}`, process: child, log };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls GET /api/health until 200; fails early if the server exits, or after `timeoutMs`. */
export async function waitForHealth(server: AppServer, timeoutMs: number): Promise<number> {
  const started = performance.now();
  let last = "no answer yet";
  while (performance.now() - started < timeoutMs) {
    if (server.process.hasExited()) {
      const code = await server.process.exited;
      throw new Error(
        `the server exited (${code}) before it was healthy; last output:\n${server.log.tail.text()}`,
      );
    }
    try {
      const response = await fetch(`${server.baseUrl}/api/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) return (performance.now() - started) / 1000;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(
    `GET /api/health not 200 within ${timeoutMs / 1000} s (last: ${last}); last output:\n${server.log.tail.text()}`,
  );
}
