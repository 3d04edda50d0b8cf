import { expect, test } from "@playwright/test";
import en from "../../messages/en.json";
import { fillPersonal, launch, uploadPhoto, type Catalog } from "./fixtures/flow";

const m = en as unknown as Catalog;

/**
 * Off by default: with no vendor configured (this run's server sets no VENDOR_LEVELS), the
 * identity upload screen never reaches a vendor's host, carries no vendor script, loads none of
 * the vendor step's code, and its CSP names no vendor origin. The vendors' run
 * (tests/e2e-vendors/csp.spec.ts) shows the same CSP naming them where a level uses one.
 */
const VENDOR_HOST = /(^|\.)(sumsub|onfido)\.com$/;
/** The SDK addresses only the vendor step's chunk holds (app/inapp/_components/vendor). */
const VENDOR_CODE = /sns-websdk-builder|sdk\.onfido\.com/;

test("the identity upload screen loads nothing of a vendor and its CSP names none", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const vendorRequests: string[] = [];
  const scripts = new Set<string>();
  page.context().on("request", (request) => {
    if (VENDOR_HOST.test(new URL(request.url()).hostname)) vendorRequests.push(request.url());
  });
  page.on("response", (response) => {
    if (response.request().resourceType() === "script") scripts.add(response.url());
  });
  const policies: string[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() === "document")
      policies.push(response.headers()["content-security-policy"] ?? "");
  });

  await launch(page, { userId: 2251, screen: "kyc", lang: "en", kycType: "standard" });
  await expect(page.getByTestId("personal-form")).toBeVisible();
  await fillPersonal(page);
  await page.getByTestId("personal-continue").click();
  await expect(page.getByTestId("step-form")).toBeVisible();
  await page.getByLabel(m.Forms.identity_document.documentKindOptions.passport).check();
  await page.fill("#documentNumber", "C01X02251");
  await page.selectOption("#issuingCountry", "DE");
  await page.fill("#expiryDate", "2032-01-31");
  await page.getByTestId("step-continue").click();
  await page.getByTestId("documents-identity_document").getByRole("link").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/upload\?documentType=identity/);
  await uploadPhoto(page, 2251);
  await expect(page.getByTestId("upload-done")).toBeVisible();
  // The list of uploads: where a vendor's step would be offered too.
  await page.goto("/inapp/kyc/upload");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(m.Upload.title);
  await page.waitForLoadState("load");

  await expect(page.getByTestId("vendor-step")).toHaveCount(0);
  expect(
    await page.locator("script[src]").evaluateAll((s) => s.map((e) => e.getAttribute("src"))),
  ).not.toContainEqual(expect.stringMatching(/sumsub|onfido/));
  expect(vendorRequests).toEqual([]);
  // Every script the screens loaded (fetched again: a body is gone once its page navigated).
  expect(scripts.size).toBeGreaterThan(0);
  for (const url of scripts) {
    const script = await page.request.get(url);
    expect(script.ok()).toBe(true);
    expect(await script.text()).not.toMatch(VENDOR_CODE);
  }
  // Every screen of the walk sent a CSP, and none of them names a vendor.
  expect(policies.length).toBeGreaterThanOrEqual(3);
  for (const policy of policies) {
    expect(policy).toContain("frame-src");
    expect(policy).not.toMatch(/sumsub|onfido/);
  }
});
