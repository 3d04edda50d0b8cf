import { onServerStart } from "@/lib/server-start";
import { captureLogs } from "../helpers/log-capture";
import { setTestEnv } from "../helpers/env";
import { createTestDb, type TestDb } from "../helpers/test-db";

const production = {
  NODE_ENV: "production",
  PUBLIC_BASE_URL: "https://kyc.broker.example",
  APP_SECRET: "x".repeat(48),
  CRM_API_PASSWORD: undefined,
  FRAME_ANCESTORS: undefined,
  DEV_SIMULATOR: undefined,
  DEV_SIMULATOR_IN_PRODUCTION: undefined,
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
});
