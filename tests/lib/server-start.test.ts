import { closeDb, setDatabaseOverride } from "@/lib/db/client";
import { migrateConfiguredDatabase } from "@/lib/db/migrate";
import { migrationJournal } from "@/lib/db/schema-version";
import { onServerStart } from "@/lib/server-start";
import { publicKeyBase64, signingKeyFrom } from "@/lib/audit/signing";
import { captureLogs } from "../helpers/log-capture";
import { adminUrl } from "../helpers/db-target";
import { setTestEnv } from "../helpers/env";
import { createEmptyDatabase, createTestDb, type TestDb } from "../helpers/test-db";

const production = {
  NODE_ENV: "production",
  PUBLIC_BASE_URL: "https://kyc.broker.example",
  APP_SECRET: "x".repeat(48),
  CRM_API_PASSWORD: undefined,
  FRAME_ANCESTORS: undefined,
  DEV_SIMULATOR: undefined,
  DEV_SIMULATOR_IN_PRODUCTION: undefined,
  RISK_CONFIG_PATH: undefined,
  AUDIT_SIGNING_KEY: undefined,
  AUDIT_VERIFY_KEY: undefined,
};

describe("server start", () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    setTestEnv();
    await db.close();
  });

  async function start(env: Record<string, string | undefined>) {
    setTestEnv(env);
    const exit = jest.spyOn(process, "exit").mockImplementation(() => undefined as never);
    const error = jest.spyOn(console, "error").mockImplementation(() => {});
    const capture = captureLogs();
    try {
      await onServerStart();
      return {
        exited: exit.mock.calls.map(([code]) => code),
        printed: error.mock.calls.map((args) => String(args[0])).join("\n"),
        events: capture.lines.map((l) => JSON.parse(l) as { event: string; level: string }),
      };
    } finally {
      capture.stop();
      exit.mockRestore();
      error.mockRestore();
    }
  }

  it("stops a production process whose configuration is unsafe, naming the variable", async () => {
    const result = await start({ ...production, FRAME_ANCESTORS: "https://*" });
    expect(result.exited[0]).toBe(1);
    expect(result.printed).toMatch(/FRAME_ANCESTORS: .*wildcard/);
  });

  it("stops a start whose risk file or audit keys are wrong, naming the variable", async () => {
    const risk = await start({ ...production, RISK_CONFIG_PATH: "/no/such/risk.json" });
    expect(risk.exited[0]).toBe(1);
    expect(risk.printed).toContain("RISK_CONFIG_PATH: cannot read /no/such/risk.json");
    // A rotation that lists the new public key but forgot the one the worker still signs with.
    const seed = Buffer.alloc(32, 1).toString("base64");
    const other = publicKeyBase64(signingKeyFrom(Buffer.alloc(32, 2).toString("base64")));
    const keys = await start({ ...production, AUDIT_SIGNING_KEY: seed, AUDIT_VERIFY_KEY: other });
    expect(keys.exited[0]).toBe(1);
    expect(keys.printed).toMatch(/^AUDIT_VERIFY_KEY: does not list the public key/);
    const own = publicKeyBase64(signingKeyFrom(seed));
    const rotated = await start({
      ...production,
      AUDIT_SIGNING_KEY: seed,
      AUDIT_VERIFY_KEY: `${other},${own}`,
    });
    expect(rotated).toMatchObject({ exited: [], printed: "" });
  });

  it("says at start, as a warning, that the simulator runs in production", async () => {
    const result = await start({
      ...production,
      CTRADER_API_URL: undefined,
      CTRADER_MANAGER_TOKEN: undefined,
      DEV_SIMULATOR: "1",
      DEV_SIMULATOR_IN_PRODUCTION: "1",
    });
    expect(result).toMatchObject({ exited: [], printed: "" });
    expect(result.events).toContainEqual(
      expect.objectContaining({ event: "server.simulator_in_production", level: "warn" }),
    );
    expect(result.events).toContainEqual(
      expect.objectContaining({ event: "server.ready", ctrader: "simulator" }),
    );
  });

  it("starts quietly against a real cTrader", async () => {
    const result = await start(production);
    expect(result).toMatchObject({ exited: [], printed: "" });
    expect(result.events.map((e) => e.event)).toEqual(["server.ready"]);
  });

  // The process's own database from DATABASE_URL (a real start), not this file's test database.
  const admin = adminUrl(); // the tests below point DATABASE_URL at their own database
  (admin ? describe : describe.skip)("with MIGRATE_ON_START=0 (replicas)", () => {
    let fresh: Awaited<ReturnType<typeof createEmptyDatabase>>;
    beforeAll(async () => {
      fresh = await createEmptyDatabase();
      setDatabaseOverride(undefined);
    });
    afterAll(async () => {
      await closeDb();
      setTestEnv({
        DATABASE_URL: admin,
        MIGRATE_ON_START: undefined,
        MIGRATE_WAIT_SECONDS: undefined,
      });
      setDatabaseOverride(db);
      await fresh.drop();
    });
    const replica = () => ({
      ...production,
      DATABASE_URL: fresh.url,
      MIGRATE_ON_START: "0",
      MIGRATE_WAIT_SECONDS: "1",
    });

    it("fails after the wait on an unmigrated database, naming the missing migrations", async () => {
      const tags = migrationJournal().map((m) => m.tag);
      const result = await start(replica());
      expect(result.exited[0]).toBe(1);
      expect(result.printed).toContain(
        `The database lacks ${tags.length} migrations, ${tags[0]} to ${tags.at(-1)} (waited 1 s with MIGRATE_ON_START=0)`,
      );
      expect(result.events).toContainEqual(
        expect.objectContaining({ event: "db.waiting_for_migrations", level: "warn" }),
      );
      expect(result.events.map((e) => e.event)).not.toContain("server.ready");
    });

    it("starts once `npm run db:migrate` has migrated the database", async () => {
      setTestEnv(replica());
      expect((await migrateConfiguredDatabase()).applied).toHaveLength(migrationJournal().length);
      const result = await start(replica());
      expect(result).toMatchObject({ exited: [], printed: "" });
      expect(result.events.map((e) => e.event)).toEqual(["server.ready"]);
    });
  });
});
