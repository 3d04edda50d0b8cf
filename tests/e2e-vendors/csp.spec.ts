import { expect, test, type Page } from "@playwright/test";
import { launch } from "../e2e/fixtures/flow";

/**
 * The CSP names a vendor's origins only where that vendor's web SDK can run: the screens of a
 * level the vendor verifies (Sumsub on standard, Onfido on basic_onfido in this run's
 * configuration; all of them, as they move to the upload screen without reloading the document).
 * A level verified locally (basic) and the other vendor stay out. The main run
 * (tests/e2e/no-vendor.spec.ts) shows none without vendors.
 */
const SUMSUB = "https://*.sumsub.com";
const ONFIDO = "https://*.onfido.com";

function directive(policy: string, name: string): string[] {
  const found = policy
    .split(";")
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name);
  return found?.slice(1) ?? [];
}

/** The CSP of each trader screen, as the browser received it with the trader's session. */
async function policies(page: Page, userId: number, kycType: string) {
  await launch(page, { userId, screen: "kyc", lang: "en", kycType });
  const of = async (path: string) => {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    return response?.headers()["content-security-policy"] ?? "";
  };
  return {
    overview: await of("/inapp/kyc"),
    identityUpload: await of("/inapp/kyc/upload?documentType=identity"),
    uploads: await of("/inapp/kyc/upload"),
    status: await of("/inapp/kyc/status"),
  };
}

test("a vendor's origins are in the CSP of its own level's screens only", async ({ page }) => {
  const sumsub = await policies(page, 2252, "standard");
  for (const policy of Object.values(sumsub)) {
    expect(directive(policy, "frame-src")).toContain(SUMSUB);
    expect(directive(policy, "connect-src")).toContain(SUMSUB);
    expect(policy).not.toContain("onfido");
  }

  const onfido = await policies(page, 2253, "basic_onfido");
  for (const policy of Object.values(onfido)) {
    expect(directive(policy, "frame-src")).toContain(ONFIDO);
    expect(directive(policy, "connect-src")).toContain(ONFIDO);
    expect(policy).not.toContain("sumsub");
  }

  // basic runs our local checks only: no screen of it names a vendor.
  const local = await policies(page, 2254, "basic");
  for (const policy of Object.values(local)) {
    expect(directive(policy, "frame-src").length).toBeGreaterThan(0);
    expect(policy).not.toMatch(/sumsub|onfido/);
  }
});
