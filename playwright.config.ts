import { defineConfig, devices } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// E2E_PORT lets two checkouts run their browser tests side by side.
const PORT = Number(process.env.E2E_PORT || 3917);
// The host page runs on one loopback name and the screens on the other: two different sites,
// which is exactly cTrader Web framing a broker page.
export const HOST_ORIGIN = `http://127.0.0.1:${PORT}`;
export const SCREEN_ORIGIN = `http://localhost:${PORT}`;

const databaseUrl = process.env.E2E_DATABASE_URL || "";

/** The server's configuration, as a broker's demo sets it; operator commands get the same. */
export const E2E_SERVER_ENV = {
  NODE_ENV: "production" as const,
  NEXT_TELEMETRY_DISABLED: "1",
  PORT: String(PORT),
  // The console and the top-level screens are here; the simulator's iframe is on the other
  // loopback name, which counts as ours only while the simulator runs (lib/http/origin.ts).
  PUBLIC_BASE_URL: HOST_ORIGIN,
  APP_SECRET: "e2e-only-secret-0123456789abcdefghijklmnop",
  // The simulator plays cTrader: in production that takes the explicit acknowledgement too.
  DEV_SIMULATOR: "1",
  DEV_SIMULATOR_IN_PRODUCTION: "1",
  DATABASE_URL: databaseUrl,
  DATA_DIR: databaseUrl ? "" : mkdtempSync(path.join(tmpdir(), "kyc-e2e-")),
  FRAME_ANCESTORS: `'self' ${HOST_ORIGIN} ${SCREEN_ORIGIN}`,
  LOG_LEVEL: "warn",
  SANCTIONS_LIST_PATH: "tests/fixtures/sanctions/ofac-sdn-excerpt.csv",
  // The built-in levels plus one that asks for a selfie (tests/e2e/selfie.spec.ts).
  KYC_LEVELS_PATH: path.resolve("tests/fixtures/levels/with-selfie.json"),
  // Reviewers sign in with a password; approvers enrol TOTP (tests/e2e/fixtures/console.ts).
  STAFF_MFA_REVIEWERS: "0",
  // The housekeeping runs as Vercel cron calls it, with this secret (tests/e2e/renewal.spec.ts);
  // the notice period is the default, written out because that spec's dates depend on it.
  CRON_SECRET: "e2e-only-cron-secret-0123456789",
  RENEWAL_NOTICE_DAYS: "30",
};

export default defineConfig({
  testDir: "tests/e2e",
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: { baseURL: HOST_ORIGIN, trace: "retain-on-failure", screenshot: "only-on-failure" },
  projects: [
    {
      name: "debian-chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: {
    // As a broker runs it: the sanctions list imported (npm run lists:import), then the server.
    command: "npm run lists:import && npm start",
    url: `${HOST_ORIGIN}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: E2E_SERVER_ENV,
  },
});
