/**
 * The credentials the vendor stubs enforce and the server is configured with: one place for the
 * jest scenarios (tests/helpers/*-stub.ts) and the browser tests' fake vendor server
 * (playwright.vendors.config.ts), free of server-only imports so Playwright's config can load it.
 */
export const SUMSUB = "https://sumsub.test";
export const SUMSUB_SETTINGS = {
  SUMSUB_APP_TOKEN: "sbx:scenario-app-token",
  SUMSUB_SECRET_KEY: "scenario-app-secret",
  SUMSUB_WEBHOOK_SECRET: "scenario-webhook-secret",
  SUMSUB_BASE_URL: SUMSUB,
};

export const ONFIDO_SETTINGS = {
  ONFIDO_API_TOKEN: "api_sandbox.scenario-token",
  ONFIDO_WEBHOOK_TOKEN: "scenario-webhook-token",
  ONFIDO_REGION: "eu",
};
