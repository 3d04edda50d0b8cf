import { expect, test, type Page } from "@playwright/test";
import en from "../../messages/en.json";
import { createStaff, openCase, serious, signIn } from "./fixtures/console";
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
 * photo, and round 2 names what was asked and what changed. A trader erased after the
 * relationship ended who comes back is not walked here: the end cannot be recorded before the
 * trader first came, so the erasure needs the clock years on, which the e2e server cannot move;
 * tests/scenarios/case-summary.test.ts runs it with the worker's clock.
 * Needs the e2e server on PostgreSQL (E2E_DATABASE_URL) for staff accounts.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;
const REVIEWER = "history.reviewer@broker.example";
const LISTED: Person = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
};

test.beforeAll(async () => {
  await createStaff(databaseUrl, REVIEWER, "reviewer");
});

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
