import { expect, test } from "@playwright/test";
import en from "../../messages/en.json";
import { createStaff, openCase, serious, signIn } from "./fixtures/console";
import { completeStandardLevel, launch, type Catalog, type Person } from "./fixtures/flow";

/**
 * A sanctions hit in the browser: the e2e server starts with the OFAC SDN excerpt imported
 * (`npm run lists:import`, see playwright.config.ts), and a trader whose name and date of birth
 * match entry 6707 completes the standard level. The console renders the hit with its
 * explanation (axe: nothing serious); two people clear it and four eyes approve; another such
 * trader is confirmed, rejected finally, and sees that decision at the next launch.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;
const LISTED: Person = {
  givenNames: "Rafael",
  surnames: "Caro Quintero",
  dateOfBirth: "1952-12-12",
};
const HIT = '[data-hit="ofac-sdn-excerpt:6707"]';

test.beforeAll(async () => {
  await createStaff(databaseUrl, "hits.reviewer@broker.example", "reviewer");
  await createStaff(databaseUrl, "hits.approver@broker.example", "approver");
});

/** The case page once the automated checks of the submission have run. */
async function caseWithChecks(page: import("@playwright/test").Page, email: string) {
  await expect
    .poll(
      async () => {
        await openCase(page, email);
        return page.locator('[data-check="screening"]').count();
      },
      { timeout: 20_000 },
    )
    .toBe(1);
}

test("a likely hit is shown, cleared by two people, and four eyes approve", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const email = "trader2501@example.com";
  await launch(page, { userId: 2501, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 2501, LISTED);

  const reviewer = await signIn(browser, "hits.reviewer@broker.example");
  await expect(reviewer.locator(`tr:has-text("${email}") [data-testid=escalated]`)).toBeVisible();
  await caseWithChecks(reviewer, email);
  const hit = reviewer.locator(HIT);
  await expect(hit).toHaveAttribute("data-level", "likely");
  await expect(hit.getByTestId("hit-name")).toContainText("CARO QUINTERO");
  await expect(hit.getByTestId("hit-explanation")).toContainText("the same date of birth");
  await expect(reviewer.getByTestId("approve")).toBeDisabled();
  expect(await serious(reviewer)).toEqual([]);

  // The summary on top says who this is and why the risk is high: the screening failed.
  const summary = reviewer.getByTestId("case-summary");
  await expect(summary.getByTestId("summary-name")).toHaveText("Rafael Caro Quintero");
  await expect(summary.getByTestId("summary-dob")).toHaveText("1952-12-12");
  await expect(summary.getByTestId("summary-account")).toHaveText("user 2501 · login 5202501");
  await expect(summary.getByTestId("summary-trigger")).toHaveText("Manual");
  const risk = summary.getByTestId("summary-risk");
  await expect(risk).toHaveAttribute("data-risk", "high");
  const reasons = summary.getByTestId("summary-risk-reasons").locator("li");
  await expect(reasons.first()).toHaveAttribute("data-risk-check", "screening");
  await expect(reasons.first()).toHaveText("Sanctions screening (Fail): +100");
  // The score is the sum of the reasons' points, as the officer reads them.
  const points = (await reasons.allTextContents()).map((r) => Number(/\+(\d+)$/.exec(r)?.[1]));
  await expect(risk).toHaveText(
    `High · score ${points.reduce((a, b) => a + b, 0)} · escalated (likely match on a screening list)`,
  );

  await hit.getByLabel("Why (required for a false positive)").fill("Born 1988 per passport");
  await hit.getByTestId("hit-false-positive").click();
  await expect(reviewer.getByTestId("outcome")).toContainText("second person");
  await expect(reviewer.locator(HIT)).toHaveAttribute("data-state", "awaiting_second");

  const approver = await signIn(browser, "hits.approver@broker.example");
  await openCase(approver, email);
  const second = approver.locator(HIT);
  await second.getByLabel("Why (required for a false positive)").fill("Photo and DOB differ");
  await second.getByTestId("hit-false-positive").click();
  await expect(approver.locator(HIT)).toHaveAttribute("data-state", "cleared");
  expect(await serious(approver)).toEqual([]);

  await openCase(reviewer, email);
  await reviewer.getByTestId("approve").click();
  await reviewer.getByTestId("approve-yes").click();
  await expect(reviewer.getByTestId("outcome")).toContainText("second approver");
  await openCase(approver, email);
  await expect(approver.getByTestId("approve")).toHaveText("Co-sign approval");
  await approver.getByTestId("approve").click();
  await approver.getByTestId("approve-yes").click();
  await expect(approver.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
  await expect(page.locator(".badge")).toHaveAttribute("data-status", "approved", {
    timeout: 20_000,
  });
});

test("a confirmed match is rejected for good: every later launch shows the final decision", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const email = "trader2502@example.com";
  await launch(page, { userId: 2502, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 2502, LISTED);

  const reviewer = await signIn(browser, "hits.reviewer@broker.example");
  await caseWithChecks(reviewer, email);
  await reviewer.locator(HIT).getByTestId("hit-confirm").click();
  await expect(reviewer.getByTestId("hit-confirm-confirm")).toBeVisible();
  await reviewer.getByTestId("hit-confirm-yes").click();
  await expect(reviewer.getByTestId("outcome")).toContainText("confirmed match");
  await expect(reviewer.getByTestId("approve-blocked")).toContainText("cannot be approved");
  await expect(reviewer.getByTestId("approve")).toBeDisabled();
  await reviewer.selectOption("[data-testid=reject-reason]", "sanctions_match");
  await reviewer.getByTestId("reject").click();
  await reviewer.getByTestId("reject-yes").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "rejected");

  await launch(page, { userId: 2502, screen: "kyc", lang: "en" });
  await expect(page.getByTestId("final-rejection")).toBeVisible();
  await expect(page.getByTestId("rejection-reason")).toHaveText(m.RejectReasons.sanctions_match);
  expect(await serious(page)).toEqual([]);
});
