/**
 * The embedded database (PGlite under DATA_DIR) belongs to one process. README's first run has
 * `npm run dev` going and then `npm run staff:create`: a second process opening the same data
 * directory must refuse, naming the cause, instead of writing beside the server (the server does
 * not see its rows, and what either wrote can be lost when the other writes its files back).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, type DbHandle } from "@/lib/db/client";
import { setTestEnv } from "../../helpers/env";

const ROOT = path.join(__dirname, "../../..");
jest.setTimeout(120_000);

/** `npm run staff:create` as its own process on the embedded database at `dataDir`. */
function staffCreate(dataDir: string, email: string) {
  const child = spawn(
    process.execPath,
    [
      "--require",
      "./scripts/server-context.cjs",
      "--import",
      "tsx",
      "scripts/staff-create.ts",
      "--email",
      email,
      "--role",
      "reviewer",
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: undefined,
        DATABASE_URL: undefined,
        DATA_DIR: dataDir,
        STAFF_PASSWORD: "a staff password for tests",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr.on("data", (b: Buffer) => (output += b.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, output })),
  );
}

async function accounts(handle: DbHandle, email: string): Promise<number> {
  const result = await handle.db.execute<{ n: number }>(
    sql`select count(*)::int as n from staff_users where email = ${email}`,
  );
  return (result as unknown as { rows: { n: number }[] }).rows[0]!.n;
}

let dataDir: string;
beforeAll(() => {
  setTestEnv();
  dataDir = mkdtempSync(path.join(os.tmpdir(), "kyc-pglite-"));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("an operator command refuses the data directory a running app holds, and works once it stopped", async () => {
  const server = await openDatabase({ kind: "pglite", dataDir });
  try {
    await server.migrate();
    const refused = await staffCreate(dataDir, "ada@example.com");
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(path.resolve(dataDir, "pglite"));
    expect(refused.output).toMatch(/in use by process \d+/);
    expect(await accounts(server, "ada@example.com")).toBe(0);
  } finally {
    await server.close();
  }

  const created = await staffCreate(dataDir, "ada@example.com");
  expect(created.output).toContain("created ada@example.com");
  expect(created.code).toBe(0);
  const reopened = await openDatabase({ kind: "pglite", dataDir });
  try {
    expect(await accounts(reopened, "ada@example.com")).toBe(1);
  } finally {
    await reopened.close();
  }
});
