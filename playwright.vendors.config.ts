/**
 * The verification vendors and the MRZ pre-fill in the browser (tests/e2e-vendors): the same
 * production build as the main e2e run, started with Sumsub and Onfido configured against a fake
 * vendor server on loopback (tests/e2e-vendors/fake-vendors.ts, the contract stubs over HTTP) and
 * MRZ_CHECK on. The vendors' web SDKs are stand-ins served by `page.route` (tests/e2e-vendors/sdk.ts).
 * Needs `npm run build` first and an empty PostgreSQL database in E2E_DATABASE_URL (docs/vendors.md).
 */
import path from "node:path";
import { defineConfig } from "@playwright/test";
import base, { E2E_SERVER_ENV, HOST_ORIGIN } from "./playwright.config";
import { ONFIDO_SETTINGS, SUMSUB_SETTINGS } from "./tests/helpers/vendor-settings";

const appPort = Number(E2E_SERVER_ENV.PORT);
export const FAKE_VENDORS = `http://127.0.0.1:${Number(process.env.FAKE_VENDORS_PORT || appPort + 1)}`;
/** The scheduler's secret: the specs run the checks' sweep through the cron route, as Vercel does. */
export const CRON_SECRET = "e2e-vendors-cron-secret-0123456789";

export const VENDORS_SERVER_ENV = {
  ...E2E_SERVER_ENV,
  // Sumsub beside our checks on the standard level; Onfido instead of our identity upload on a
  // level of its own; the basic level stays local, for the MRZ pre-fill.
  KYC_LEVELS_PATH: path.resolve("tests/fixtures/levels/with-vendors.json"),
  VENDOR_LEVELS: JSON.stringify({
    standard: { vendor: "sumsub" },
    basic_onfido: { vendor: "onfido", local: false },
  }),
  ...SUMSUB_SETTINGS,
  // The fake vendors take sandbox-shaped tokens; production refuses those without this.
  VENDOR_SANDBOX_IN_PRODUCTION: "1",
  SUMSUB_BASE_URL: `${FAKE_VENDORS}/sumsub`,
  SUMSUB_LEVELS: JSON.stringify({ standard: "basic-kyc-level" }),
  ...ONFIDO_SETTINGS,
  ONFIDO_BASE_URL: `${FAKE_VENDORS}/onfido`,
  MRZ_CHECK: "1",
  CRON_SECRET,
};

export default defineConfig({
  ...base,
  testDir: "tests/e2e-vendors",
  // Its own folder: Playwright empties its output folder first, and test-results/ keeps the
  // main run's contact sheet and console screenshots.
  outputDir: "test-results/vendors",
  timeout: 180_000,
  webServer: [
    {
      command:
        "node --require ./scripts/server-context.cjs --import tsx tests/e2e-vendors/fake-vendors.ts",
      url: `${FAKE_VENDORS}/_control/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        FAKE_VENDORS_PORT: new URL(FAKE_VENDORS).port,
        APP_URL: HOST_ORIGIN,
        NODE_OPTIONS: "",
      },
    },
    {
      command: "npm run lists:import && npm start",
      url: `${HOST_ORIGIN}/api/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      env: VENDORS_SERVER_ENV,
    },
  ],
});
