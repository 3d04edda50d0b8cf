import { expect, test, type Page } from "@playwright/test";
import en from "../../messages/en.json";
import { E2E_SERVER_ENV } from "../../playwright.config";
import { createStaff, openCase, openDecidable, serious, signIn } from "./fixtures/console";
import {
  completeStandardLevel,
  launch,
  uploadPhoto,
  type Catalog,
  type Person,
} from "./fixtures/flow";

/**
 * The case summary's history in the browser, each part made by the real flow: a trader named
 * like OFAC SDN entry 6707 (the e2e server imports that excerpt) shows the hit in the summary;
 * a reviewer asks another trader for a new identity document, the trader sends a new number and
 * photo, and round 2 names what was asked and what changed; a third trader, approved, has the
 * end of their relationship recorded years back by an admin, is erased by the housekeeping as
 * Vercel cron calls it, comes back through cTrader, and the new case links the erased one.
 * Needs the e2e server on PostgreSQL (E2E_DATABASE_URL) for staff accounts.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;
const REVIEWER = "history.reviewer@broker.example";
const ADMIN = "history.admin@broker.example";
const LISTED: Person = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
};

test.beforeAll(async () => {
  await createStaff(databaseUrl, REVIEWER, "reviewer");
  await createStaff(databaseUrl, ADMIN, "admin");
});

const caseIdOf = (page: Page) => new URL(page.url()).pathname.split("/").pop() ?? "";

/** The case page once the round's automated checks have run (their screening line is there). */
async function openChecked(page: Page, email: string) {
  await expect
    .poll(
      async () => {
        await openCase(page, email);
        return page.locator('[data-check="screening"]').count();
      },
      { timeout: 30_000 },
    )
    .toBe(1);
}

test("the summary lists the screening hit that the checks found, beside the hits section", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await launch(page, { userId: 2206, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 22061, LISTED);
  const reviewer = await signIn(browser, REVIEWER);
  await openChecked(reviewer, "trader2206@example.com");
  const hit = reviewer
    .getByTestId("summary-hits")
    .locator('li[data-summary-hit="ofac-sdn-excerpt:6707"]');
  await expect(hit).toHaveAttribute("data-level", "likely");
  await expect(hit).toContainText("CARO QUINTERO");
  await expect(hit).toContainText("Likely");
  // The same hit in the section where it is judged.
  await expect(
    reviewer.getByTestId("screening-hits").locator('[data-hit="ofac-sdn-excerpt:6707"]'),
  ).toBeVisible();
  expect(await serious(reviewer)).toEqual([]);
});

test("round 2's summary names what the reviewer asked for and what the trader changed", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const email = "trader2207@example.com";
  await launch(page, { userId: 2207, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 22071);
  const reviewer = await signIn(browser, REVIEWER);
  await openChecked(reviewer, email);
  await expect(reviewer.getByTestId("summary-changes")).toHaveAttribute("data-changes", "none");
  await expect(reviewer.getByTestId("summary-changes")).toHaveText(
    "First round: nothing to compare yet.",
  );
  // No hit for an ordinary name.
  await expect(reviewer.getByTestId("summary-hits")).toHaveText("No screening hit.");

  const request = reviewer.locator("form#request");
  await request.locator('input[name=items][value="document:identity"]').check();
  await request.locator('input[name=items][value="step:identity_document"]').check();
  await reviewer.getByTestId("message").fill("Please show the photo page in full.");
  await reviewer.getByTestId("request").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute(
    "data-status",
    "action_required",
  );

  // The trader corrects the number and sends a new photo; the rest stays as sent.
  await page.goto("/inapp/kyc?step=identity_document");
  await page.getByLabel(m.Forms.identity_document.documentKindOptions.passport).check();
  await page.fill("#documentNumber", "C01X22079");
  await page.fill("#expiryDate", "2033-03-03");
  await page.getByTestId("step-continue").click();
  await page.getByTestId("documents-identity_document").getByRole("link").click();
  await uploadPhoto(page, 22079);
  await expect(page.getByTestId("upload-done")).toBeVisible();
  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);

  await openCase(reviewer, email);
  const changes = reviewer.getByTestId("summary-changes");
  await expect(changes).toHaveAttribute("data-round", "2");
  await expect(changes.getByTestId("summary-asked")).toContainText("Identity document");
  await expect(changes.getByTestId("summary-asked")).toContainText(
    "Please show the photo page in full.",
  );
  const answers = changes.getByTestId("summary-changed-answers");
  const number = answers.locator('tr[data-step="identity_document"][data-field="documentNumber"]');
  await expect(number).toContainText("Identity document · Document number");
  await expect(number.locator("del")).toHaveText("C01X22071");
  await expect(number.locator("ins")).toHaveText("C01X22079");
  const expiry = answers.locator('tr[data-step="identity_document"][data-field="expiryDate"]');
  await expect(expiry.locator("del")).toHaveText("2032-01-31");
  await expect(expiry.locator("ins")).toHaveText("2033-03-03");
  // Only what changed: the personal data and the address were sent as before.
  await expect(answers.locator('tr[data-step="personal"]')).toHaveCount(0);
  await expect(answers.locator('tr[data-step="proof_of_address"]')).toHaveCount(0);
  const added = changes.getByTestId("summary-new-documents").locator("li");
  await expect(added).toHaveCount(1);
  await expect(added).toHaveAttribute("data-document", "identity");
  expect(await serious(reviewer)).toEqual([]);
});

test("a trader erased after the relationship ended comes back: the new case links the earlier one", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const email = "trader2208@example.com";
  await launch(page, { userId: 2208, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 22081);
  const reviewer = await signIn(browser, REVIEWER);
  await openDecidable(reviewer, email);
  const first = caseIdOf(reviewer);
  await expect(reviewer.getByTestId("summary-previous")).toHaveText("None.");
  await reviewer.getByTestId("approve").click();
  await reviewer.getByTestId("approve-yes").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "approved");

  // An admin records that the relationship ended years ago: the retention period is over.
  const admin = await signIn(browser, ADMIN);
  await admin.goto(`/admin/cases/${first}`);
  await admin.fill("#endedOn", "2019-01-02");
  await admin.getByTestId("relationship-end").click();
  await expect(admin.getByTestId("outcome")).toHaveAttribute("data-outcome", "relationship_ended");
  await expect(admin.getByTestId("relationship-ended")).toHaveText("2019-01-02");

  // The housekeeping as Vercel cron calls it erases the case.
  const swept = await admin.request.get("/api/cron/housekeeping", {
    headers: { authorization: `Bearer ${E2E_SERVER_ENV.CRON_SECRET}` },
    timeout: 90_000,
  });
  expect(swept.status()).toBe(200);
  const report = (await swept.json()) as { housekeeping: { retention: { cases: number } } };
  expect(report.housekeeping.retention.cases).toBeGreaterThanOrEqual(1);
  await admin.reload();
  await expect(admin.getByTestId("tombstone")).toBeVisible();

  // The trader comes back through cTrader: a new case, sent in full again.
  await launch(page, { userId: 2208, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 22091);
  await openChecked(reviewer, email);
  const second = caseIdOf(reviewer);
  expect(second).not.toBe(first);
  const previous = reviewer.getByTestId("summary-previous").locator("li");
  await expect(previous).toHaveCount(1);
  await expect(previous).toHaveAttribute("data-case", first);
  await expect(previous).toContainText("Standard · Approved");
  expect(await serious(reviewer)).toEqual([]);
  // The link leads to what is left of the earlier case: its tombstone.
  await previous.getByRole("link").click();
  await expect(reviewer).toHaveURL(new RegExp(`/admin/cases/${first}$`));
  await expect(reviewer.getByTestId("tombstone")).toBeVisible();
});
