/**
 * Bringing a fresh PostgreSQL database to the schema when several processes start together: the
 * migration lock lets one apply each migration while the others wait and then find nothing to do;
 * `npm run db:migrate` says what it applied; a worker told not to migrate fails naming what is
 * missing. PostgreSQL only: PGlite is one process with one session.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { openDatabase } from "@/lib/db/client";
import { migrationJournal } from "@/lib/db/schema-version";
import { adminUrl } from "../../helpers/db-target";
import { setTestEnv } from "../../helpers/env";
import { createEmptyDatabase } from "../../helpers/test-db";

const ROOT = path.join(__dirname, "../../..");
const describePg = adminUrl() ? describe : describe.skip;
jest.setTimeout(120_000);

const tags = () => migrationJournal().map((m) => m.tag);

/** The rows drizzle's migrator recorded, and whether the last migration's index exists. */
async function recorded(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [counts] = await sql<{ rows: number; distinct: number }[]>`
      select count(*)::int as rows, count(distinct created_at)::int as distinct
      from drizzle.__drizzle_migrations`;
    const [index] = await sql<{ found: boolean }[]>`
      select to_regclass('public.audit_events_action_time_idx') is not null as found`;
    return { ...counts, lastApplied: index?.found };
  } finally {
    await sql.end();
  }
}

/** A command of package.json as its own process (node with tsx's loader), with its output. */
function run(script: string, env: Record<string, string | undefined>) {
  const child = spawn(
    process.execPath,
    ["--require", "./scripts/server-context.cjs", "--import", "tsx", script],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: undefined, NODE_ENV: "test", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
}

beforeAll(() => setTestEnv());

describePg("migrations on a fresh database", () => {
  it("two processes migrating together both succeed and apply each migration once", async () => {
    const fresh = await createEmptyDatabase();
    // Two handles of one connection each: two processes, as far as PostgreSQL can tell.
    const a = await openDatabase({ kind: "postgres", url: fresh.url, max: 1 });
    const b = await openDatabase({ kind: "postgres", url: fresh.url, max: 1 });
    try {
      const [appliedA, appliedB] = await Promise.all([a.migrate(), b.migrate()]);
      expect([...appliedA, ...appliedB]).toEqual(tags());
      expect([appliedA.length, appliedB.length]).toContain(0);
      expect(await recorded(fresh.url)).toEqual({
        rows: tags().length,
        distinct: tags().length,
        lastApplied: true,
      });
      expect(await a.migrate()).toEqual([]); // current: nothing to do
    } finally {
      await a.close();
      await b.close();
      await fresh.drop();
    }
  });

  it("npm run db:migrate, started twice at once, prints each migration it applied, each once", async () => {
    const fresh = await createEmptyDatabase();
    try {
      const runs = await Promise.all([
        run("scripts/db-migrate.ts", { DATABASE_URL: fresh.url }),
        run("scripts/db-migrate.ts", { DATABASE_URL: fresh.url }),
      ]);
      expect(runs.map((r) => [r.code, r.stderr])).toEqual([
        [0, ""],
        [0, ""],
      ]);
      const printed = runs.flatMap((r) =>
        [...r.stdout.matchAll(/^applied (\S+)$/gm)].map((m) => m[1]),
      );
      expect(printed.sort()).toEqual(tags());
      const latest = tags().at(-1);
      for (const r of runs) expect(r.stdout).toContain(`schema at ${latest}`);
      expect(await recorded(fresh.url)).toMatchObject({ rows: tags().length });
    } finally {
      await fresh.drop();
    }
  });

  it("a worker started with MIGRATE_ON_START=0 on an unmigrated database exits naming the missing migrations", async () => {
    const fresh = await createEmptyDatabase();
    try {
      const worker = await run("scripts/worker.ts", {
        DATABASE_URL: fresh.url,
        MIGRATE_ON_START: "0",
        MIGRATE_WAIT_SECONDS: "0",
      });
      expect(worker.code).toBe(1);
      expect(worker.stderr).toContain(
        `lacks ${tags().length} migrations, ${tags()[0]} to ${tags().at(-1)}`,
      );
      expect(worker.stderr).toContain("npm run db:migrate");
      // It only looked: the database is as empty as before.
      const sql = postgres(fresh.url, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql<{ schema: string | null }[]>`
          select to_regnamespace('drizzle')::text as schema`;
        expect(row?.schema).toBeNull();
      } finally {
        await sql.end();
      }
    } finally {
      await fresh.drop();
    }
  });
});
