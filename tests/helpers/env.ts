import { resetEnvCache } from "@/lib/env";

export const TEST_ENV_DEFAULTS: Record<string, string | undefined> = {
  NODE_ENV: "test",
  IDENTITY_MODE: "ot-handoff",
  CTRADER_API_URL: "https://ctrader.test",
  CTRADER_MANAGER_TOKEN: "manager-token-for-tests",
  CTRADER_REDEEM_API: "redeem",
  CRM_API_PASSWORD: "crm-password-for-tests",
  APP_SECRET: "an-app-secret-for-tests-only-0123456789abcdef",
  SESSION_IDLE_MINUTES: "30",
  SESSION_ABSOLUTE_MINUTES: "240",
};

/** Sets the configuration for the following tests (defaults + overrides; undefined unsets). */
export function setTestEnv(overrides: Record<string, string | undefined> = {}): void {
  const env = process.env as Record<string, string | undefined>;
  for (const [key, value] of Object.entries({ ...TEST_ENV_DEFAULTS, ...overrides })) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  resetEnvCache();
}
