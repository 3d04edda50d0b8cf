import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GET as live } from "@/app/api/health/live/route";
import { GET as ready } from "@/app/api/health/ready/route";
import { GET as health } from "@/app/api/health/route";
import { importListsAndRescreen } from "@/lib/checks/rescreen";
import { openDatabase, setDatabaseOverride } from "@/lib/db/client";
import { captureLogs } from "../../helpers/log-capture";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";

const OFAC = path.join(__dirname, "../../fixtures/sanctions/ofac-sdn-excerpt.csv");
const HOUR = 3_600_000;

let t: TestDb;
let dataDir: string;
const configure = (overrides: Record<string, string | undefined> = {}) =>
  setTestEnv({ DATA_DIR: dataDir, ...overrides });
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "kyc-health-"));
  configure();
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => configure());

const readyNow = async () => {
  const response = await ready(new Request("http://localhost/api/health/ready"));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("health", () => {
  it("answers liveness with 200 without asking any dependency, even with the database down", async () => {
    const dead = await openDatabase({
      kind: "postgres",
      url: "postgres://nobody@127.0.0.1:1/none",
      max: 1,
    });
    setDatabaseOverride(dead);
    try {
      const response = await live();
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok" });
    } finally {
      setDatabaseOverride(t);
      await dead.close();
    }
  });

  it("is ready with the database and storage reachable; the list age is reported without a limit", async () => {
    expect(await readyNow()).toEqual({
      status: 200,
      body: {
        status: "ok",
        failed: [],
        database: "ok",
        storage: "ok",
        screening: { status: "missing", ageHours: null, maxAgeHours: null, lists: [] },
        audit: { chain: "unverified", lastVerifiedAt: null, problem: null },
      },
    });
    expect((await health()).status).toBe(200);
  });

  it("is not ready (503, naming the database) when the database is unreachable", async () => {
    const dead = await openDatabase({
      kind: "postgres",
      url: "postgres://nobody@127.0.0.1:1/none",
      max: 1,
    });
    setDatabaseOverride(dead);
    const capture = captureLogs();
    try {
      const { status, body } = await readyNow();
      expect(status).toBe(503);
      expect(body).toMatchObject({
        status: "unready",
        failed: ["database"],
        database: "unreachable",
        storage: "ok",
        screening: { status: "unknown" },
        audit: { chain: "unknown" },
      });
      expect((await health()).status).toBe(503);
    } finally {
      capture.stop();
      setDatabaseOverride(t);
      await dead.close();
    }
    expect(capture.lines.some((line) => line.includes('"event":"health.database"'))).toBe(true);
  });

  it("is not ready when the screening lists are older than SCREENING_LIST_MAX_AGE_HOURS, or none is imported", async () => {
    configure({ SCREENING_LIST_MAX_AGE_HOURS: "24" });
    let { status, body } = await readyNow();
    expect(status).toBe(503);
    expect(body).toMatchObject({ failed: ["screening"], screening: { status: "missing" } });

    // `npm run lists:import` ran two days ago, and not since.
    await importListsAndRescreen([OFAC], new Date(Date.now() - 48 * HOUR));
    ({ status, body } = await readyNow());
    expect(status).toBe(503);
    expect(body).toMatchObject({
      failed: ["screening"],
      database: "ok",
      storage: "ok",
      screening: { status: "stale", maxAgeHours: 24 },
    });
    expect((body.screening as { ageHours: number }).ageHours).toBeGreaterThanOrEqual(48);
    // /api/health names the list, its age and a warning, and stays 200 (the database is fine).
    const plain = await health();
    expect(plain.status).toBe(200);
    expect(await plain.json()).toMatchObject({
      status: "ok",
      screening: {
        status: "warning",
        maxAgeHours: 24,
        lists: [{ source: "ofac-sdn-excerpt", status: "stale", failedAt: null }],
      },
    });

    configure({ SCREENING_LIST_MAX_AGE_HOURS: "72" });
    ({ status, body } = await readyNow());
    expect(status).toBe(200);
    expect(body).toMatchObject({ failed: [], screening: { status: "ok", maxAgeHours: 72 } });
  });
});
