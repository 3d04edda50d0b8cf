/**
 * The worker as a real child process (tsx scripts/worker.ts) against this file's PostgreSQL
 * database: killed with SIGKILL mid-delivery, and with its database connections terminated.
 * PostgreSQL only (a child process cannot share the in-memory PGlite).
 */
import "../../scenarios/support/request-scope";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { adminUrl, withDatabase } from "../../helpers/db-target";
import type { TestDb } from "../../helpers/test-db";
import { endpointsFor, type Receiver } from "../../helpers/webhook-receiver";
import { deliveryOf, deliveryWorld, listAttemptsForEvent, submitFreshCase, until } from "./helpers";

const ROOT = path.join(__dirname, "../../..");
const describePg = adminUrl() ? describe : describe.skip;
jest.setTimeout(150_000);

// The CRM's webhook is the only destination: each event has one delivery.
const world = deliveryWorld({ CTRADER_ACCOUNT_UPDATE: undefined });
let t: TestDb;
let receiver: Receiver;
let endpoints: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  ({ db: t, receiver } = world());
  endpoints = endpointsFor([{ id: "crm", url: receiver.url }]);
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});
beforeEach(() => {
  receiver.respond = () => 204;
});

// The shortest lease the worker takes with a webhook as the only destination: the claim's 1 s,
// the webhook's 15 s timeout and the 5 s margin.
const LEASE = "--lease-ms=21000";

function startWorker(
  overrides: Record<string, string> = {},
  lease = LEASE,
): ChildProcess & { output: string[] } {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_OPTIONS: undefined,
    NODE_ENV: "test",
    DATABASE_URL: withDatabase(adminUrl()!, t.name),
    WEBHOOK_ENDPOINTS: endpoints,
    APP_SECRET: process.env.APP_SECRET,
    LOG_LEVEL: "info",
    ...overrides,
  };
  // node with tsx's loader, not the tsx wrapper binary: the wrapper runs node as a child of its
  // own, and a SIGKILL to the wrapper would leave that child delivering.
  const child = spawn(
    process.execPath,
    // Housekeeping off: its automated checks would move the case and add events of their own.
    [
      "--require",
      "./scripts/server-context.cjs",
      "--import",
      "tsx",
      "scripts/worker.ts",
      "--poll-ms=100",
      lease,
      "--housekeeping-ms=0",
    ],
    { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] },
  ) as ChildProcess & { output: string[] };
  child.output = [];
  child.stdout?.on("data", (b: Buffer) => {
    child.output.push(b.toString());
    if (process.env.DEBUG_WORKER) process.stderr.write(b);
  });
  child.stderr?.on("data", (b: Buffer) => child.output.push(b.toString()));
  children.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code)),
  );

/**
 * Terminates every connection to this file's database (the worker's and this process's pool),
 * and nothing else: the pids are chosen first (a materialized CTE), and pg_terminate_backend runs
 * only in the select list — in a WHERE clause PostgreSQL may call it before the other conditions
 * and cut connections of other databases.
 */
function terminateBackends(admin: postgres.Sql) {
  return admin<{ pid: number; terminated: boolean }[]>`
    with targets as materialized (
      select pid from pg_stat_activity where datname = ${t.name} and pid <> pg_backend_pid()
    )
    select pid, pg_terminate_backend(pid) as terminated from targets`;
}

describePg("the worker process", () => {
  it("delivers after a SIGKILL mid-delivery once restarted; the duplicate has the same webhook-id", async () => {
    const { eventId } = await submitFreshCase();
    const before = receiver.received.length;
    receiver.respond = () => "hold"; // the first attempt hangs at the receiver
    const first = startWorker();
    await receiver.waitFor(before + 1, 30_000);
    first.kill("SIGKILL");
    expect(await exited(first)).toBeNull(); // killed, not exited
    expect((await deliveryOf(eventId)).status).toBe("pending");
    receiver.respond = () => 204;
    receiver.release(503);

    const second = startWorker();
    try {
      const d = await until(async () => {
        const row = await deliveryOf(eventId);
        return row.status === "delivered" && row;
      }, 60_000);
      expect(d.status).toBe("delivered");
      const sent = receiver.received.slice(before);
      expect(sent.length).toBeGreaterThanOrEqual(2);
      expect(new Set(sent.map((r) => r.id))).toEqual(new Set([eventId]));
      expect(new Set(sent.map((r) => r.body)).size).toBe(1);
      // The killed attempt was never recorded; the one after the lease was.
      expect(await listAttemptsForEvent(eventId)).toMatchObject([{ ok: true, attempt: 2 }]);
    } finally {
      second.kill("SIGTERM");
      expect(await exited(second)).toBe(0); // graceful stop
    }
  });

  it("keeps delivering without a restart after its database connections are terminated", async () => {
    const worker = startWorker();
    try {
      const { eventId: a } = await submitFreshCase();
      await until(async () => (await deliveryOf(a)).status === "delivered", 30_000);

      const admin = postgres(adminUrl()!, { max: 1, onnotice: () => {} });
      try {
        // Hold an attempt at the receiver, then cut every connection to the database.
        const before = receiver.received.length;
        receiver.respond = () => "hold";
        const { eventId: b } = await submitFreshCase();
        await receiver.waitFor(before + 1, 30_000);
        const killed = await terminateBackends(admin);
        expect(killed.length).toBeGreaterThan(0);
        receiver.respond = () => 204;
        receiver.release(204);
        await until(async () => (await deliveryOf(b)).status === "delivered", 60_000);

        // Again, while idle, then a new event.
        expect((await terminateBackends(admin)).length).toBeGreaterThan(0);
        const { eventId: c } = await until(() => submitFreshCase()); // our pool was cut too
        await until(async () => (await deliveryOf(c)).status === "delivered", 30_000);
      } finally {
        await admin.end();
      }
      expect(worker.exitCode).toBeNull(); // the same process, still running
    } finally {
      worker.kill("SIGTERM");
      expect(await exited(worker)).toBe(0);
    }
  });

  it("does not start with a lease too short for one send, naming the flag", async () => {
    const { eventId } = await submitFreshCase();
    const worker = startWorker({}, "--lease-ms=20999");
    expect(await exited(worker)).toBe(1);
    expect(worker.output.join("")).toContain("--lease-ms=20999: at least 21000");
    expect(await deliveryOf(eventId)).toMatchObject({ status: "pending", attempts: 0 });
    // Delivered by a worker that has the lease it needs.
    const next = startWorker();
    try {
      await until(async () => (await deliveryOf(eventId)).status === "delivered", 30_000);
    } finally {
      next.kill("SIGTERM");
      expect(await exited(next)).toBe(0);
    }
  });

  it("does not start with a flag it does not know or one without its value, naming it", async () => {
    // A typo or the space-separated form would otherwise run on the defaults, silently: here
    // with housekeeping on, or the lease the operator did not ask for.
    for (const flag of ["--housekeeping=0", "--lease-ms"]) {
      const worker = startWorker({}, flag);
      expect(await exited(worker)).toBe(1);
      expect(worker.output.join("")).toContain(`${flag}: the worker takes only --poll-ms=<number>`);
    }
  });

  it("does not start with a risk file it cannot read, naming the variable", async () => {
    const worker = startWorker({ RISK_CONFIG_PATH: path.join(ROOT, "no-such-risk-file.json") });
    expect(await exited(worker)).toBe(1);
    expect(worker.output.join("")).toContain("RISK_CONFIG_PATH: cannot read");
  });
});
