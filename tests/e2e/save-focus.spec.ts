import { expect, test, type Page } from "@playwright/test";
import en from "../../messages/en.json";
import { E2E_SERVER_ENV } from "../../playwright.config";
import { createStaff, openDecidable, signIn } from "./fixtures/console";
import {
  completeStandardLevel,
  fillPersonal,
  launch,
  uploadPhoto,
  type Catalog,
} from "./fixtures/flow";

/**
 * Where focus lands after "Save and continue", on a phone, in every state a form is filled in:
 * a first draft, an answer to a request for more information, an upgrade round and a renewal.
 * Refused, it is on the first field in error; saved, on the next screen's heading, so a screen
 * reader says where the trader now is and a keyboard goes on from the top of that screen, not
 * from the start of the page. Needs the e2e server on PostgreSQL (E2E_DATABASE_URL) for staff.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");
test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

const m = en as unknown as Catalog;
const REVIEWER = "focus.reviewer@broker.example";
const DAY_MS = 86_400_000;
const utcDay = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

test.beforeAll(async () => {
  await createStaff(databaseUrl, REVIEWER, "reviewer");
});

/** Focus is on the screen's title, which reads `title`, and the trader sees it. */
async function expectHeadingFocused(page: Page, title: string) {
  const heading = page.getByRole("heading", { level: 1 });
  await expect(heading).toHaveText(title);
  await expect(heading).toBeFocused();
  await expect(heading).toBeInViewport();
}

/** Focus is on this field, marked invalid, and the trader sees it. */
async function expectErrorFocused(page: Page, selector: string) {
  const field = page.locator(selector).first();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toBeFocused();
  await expect(field).toBeInViewport();
}

async function approve(reviewer: Page, email: string) {
  await openDecidable(reviewer, email);
  await reviewer.getByTestId("approve").click();
  await reviewer.getByTestId("approve-yes").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
}

async function sendCase(page: Page) {
  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);
}

test("a first draft: saved, focus on the next screen's heading", async ({ page }) => {
  await launch(page, { userId: 2931, screen: "kyc", lang: "en", source: "Android" });
  await expect(page.getByTestId("personal-form")).toBeVisible();
  await fillPersonal(page);
  await page.getByTestId("personal-continue").tap();
  await expectHeadingFocused(page, m.Forms.identity_document.title);
  await page.getByLabel(m.Forms.identity_document.documentKindOptions.passport).check();
  await page.fill("#documentNumber", "C01X29311");
  await page.selectOption("#issuingCountry", "DE");
  await page.fill("#expiryDate", "2032-01-31");
  await page.getByTestId("step-continue").tap();
  // The form is done; its photo is not: the overview says what is left.
  await expectHeadingFocused(page, m.Kyc.title);
});

test("a request for more information, then an upgrade round: refused on the field, saved on the heading", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const email = "trader2932@example.com";
  await launch(page, { userId: 2932, screen: "kyc", lang: "en", source: "Android" });
  await completeStandardLevel(page, m, 29321);
  const reviewer = await signIn(browser, REVIEWER);
  await openDecidable(reviewer, email);
  const request = reviewer.locator("form#request");
  await request.locator('input[name=items][value="step:identity_document"]').check();
  await request.locator('input[name=items][value="document:identity"]').check();
  await reviewer.getByTestId("message").fill("Please check the passport number.");
  await reviewer.getByTestId("request").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute(
    "data-status",
    "action_required",
  );

  await page.goto("/inapp/kyc?step=identity_document");
  await expect(page.getByTestId("step-form")).toBeVisible();
  await page.fill("#documentNumber", "");
  await page.fill("#expiryDate", utcDay(-1));
  await page.getByTestId("step-continue").tap();
  await expectErrorFocused(page, "#documentNumber");
  await page.fill("#documentNumber", "C01X29329");
  await page.fill("#expiryDate", "2033-03-03");
  await page.getByTestId("step-continue").tap();
  await expectHeadingFocused(page, m.Kyc.title);
  await page.getByTestId("documents-identity_document").getByRole("link").click();
  await uploadPhoto(page, 29329);
  await expect(page.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });
  await sendCase(page);
  await approve(reviewer, email);

  // Approved at standard, asked for enhanced: the round opens on the first form enhanced adds.
  await launch(page, {
    userId: 2932,
    screen: "kyc",
    lang: "en",
    source: "Android",
    kycType: "enhanced",
  });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(m.Forms.tax.title);
  await page.getByTestId("step-continue").tap();
  await expectErrorFocused(page, "#taxCountry-0");
  await page.selectOption("#taxCountry-0", "DE");
  await page.fill("#tin-0", "86095742719");
  await page.getByTestId("step-continue").tap();
  await expectHeadingFocused(page, m.Forms.source_of_funds.title);
});

test("a renewal: refused on the field, saved on the heading", async ({ page, browser }) => {
  test.setTimeout(240_000);
  const email = "trader2933@example.com";
  await launch(page, { userId: 2933, screen: "kyc", lang: "en", source: "Android" });
  await completeStandardLevel(page, m, 29331, undefined, utcDay(10));
  const reviewer = await signIn(browser, REVIEWER);
  await approve(reviewer, email);
  const sweep = await page.request.get("/api/cron/housekeeping", {
    headers: { authorization: `Bearer ${E2E_SERVER_ENV.CRON_SECRET}` },
    timeout: 60_000,
  });
  expect(sweep.status()).toBe(200);

  await launch(page, { userId: 2933, screen: "status", lang: "en", source: "Android" });
  await page.getByTestId("renewal-notice").getByTestId("renew-case").tap();
  await expect(page).toHaveURL(/\/inapp\/kyc\?step=identity_document$/);
  await page.getByLabel(m.Forms.identity_document.documentKindOptions.passport).check();
  await page.fill("#documentNumber", "C01R29339");
  await page.selectOption("#issuingCountry", "DE");
  // Typed past the picker: the server still says what is wrong with it.
  await page.fill("#expiryDate", utcDay(-1));
  await page.getByTestId("step-continue").tap();
  await expectErrorFocused(page, "#expiryDate");
  await page.fill("#expiryDate", utcDay(3650));
  await page.getByTestId("step-continue").tap();
  await expectHeadingFocused(page, m.Kyc.title);
});
