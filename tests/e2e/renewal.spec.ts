import { expect, test, type Page } from "@playwright/test";
import de from "../../messages/de.json";
import en from "../../messages/en.json";
import { E2E_SERVER_ENV } from "../../playwright.config";
import { createStaff, openCase, serious, signIn } from "./fixtures/console";
import { completeStandardLevel, launch, uploadPhoto, type Catalog } from "./fixtures/flow";

/**
 * Document renewal through the real screens, on the real clock: the trader's passport expires
 * within RENEWAL_NOTICE_DAYS (30 in playwright.config.ts), a reviewer approves, the housekeeping
 * runs as Vercel cron calls it (GET with the cron secret), the trader reads the notice on the
 * status screen, renews only the identity document, and the reviewer approves again. A passport
 * that expires today is accepted by the form (it is still valid today), approved, and expired by
 * the same housekeeping. Needs the e2e server on PostgreSQL (E2E_DATABASE_URL) for staff accounts.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const DAY_MS = 86_400_000;
/** The UTC calendar day `days` from now: document dates are UTC days (docs/lifecycle.md). */
const utcDay = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
/** The date as the notice prints it: long style in the trader's language, in UTC. */
const longDate = (day: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(`${day}T00:00:00Z`),
  );

/**
 * Both tests compute UTC days at their start and compare them with what the server says minutes
 * later; a test that ran over midnight UTC would expect yesterday's dates. Within five minutes of
 * midnight a test starts after it instead: the wait (ms) is added to its time, then taken.
 */
function waitPastMidnight(): number {
  const untilMidnight = DAY_MS - (Date.now() % DAY_MS);
  return untilMidnight > 5 * 60_000 ? 0 : untilMidnight + 2_000;
}

type Sweep = { housekeeping: { renewal: { noticed: number; expired: number } } };

/** The scheduled housekeeping as Vercel cron calls it: GET with `Authorization: Bearer`. */
async function cron(page: Page): Promise<Sweep> {
  const response = await page.request.get("/api/cron/housekeeping", {
    headers: { authorization: `Bearer ${E2E_SERVER_ENV.CRON_SECRET}` },
    timeout: 60_000,
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as Sweep;
}

/**
 * The case page once the round's checks have run (approval is offered), then approved. Returns
 * the case page's address: a decided case leaves the queue.
 */
async function approve(reviewer: Page, email: string): Promise<string> {
  await expect
    .poll(
      async () => {
        await openCase(reviewer, email);
        return reviewer.getByTestId("approve").isEnabled();
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  await reviewer.getByTestId("approve").click();
  await reviewer.getByTestId("approve-yes").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
  return reviewer.url();
}

test("the renewal notice after the cron's housekeeping, a new identity document only, approved again", async ({
  page,
  browser,
}) => {
  const wait = waitPastMidnight();
  test.setTimeout(240_000 + wait);
  await new Promise((resolve) => setTimeout(resolve, wait));
  const m = de as unknown as Catalog;
  const trader = "trader2861@example.com";
  const expires = utcDay(10);
  await createStaff(databaseUrl, "renewal.reviewer@broker.example", "reviewer");

  // Without the secret the cron route does nothing.
  const refused = await page.request.get("/api/cron/housekeeping");
  expect(refused.status()).toBe(401);

  await launch(page, { userId: 2861, screen: "kyc", lang: "de" });
  // Seeds 2861 and 2862 for the two photos, 2871 for the new passport: a photo another trader
  // sent is a duplicate image, high risk, and takes a second approver.
  await completeStandardLevel(page, m, 2861, undefined, expires);
  const reviewer = await signIn(browser, "renewal.reviewer@broker.example");
  await approve(reviewer, trader);

  // The housekeeping marks the case due; the trader opens the screen again from cTrader.
  expect((await cron(page)).housekeeping.renewal.noticed).toBeGreaterThanOrEqual(1);
  await launch(page, { userId: 2861, screen: "status", lang: "de" });
  await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
  const notice = page.getByTestId("renewal-notice");
  await expect(notice).toHaveAttribute("data-state", "due");
  await expect(notice).toContainText(m.Renewal.dueTitle);
  const dueBody = m.Renewal.dueBody.replace("{date}", longDate(expires, "de"));
  await expect(notice).toContainText(dueBody);
  await expect(page.getByTestId("approved-close")).toHaveCount(0);
  await expect(page.locator('[data-testid=timeline] [data-event="renewal_due"]')).toBeVisible();
  expect(await serious(page)).toEqual([]);
  // The verification screen carries the same notice.
  await page.goto("/inapp/kyc");
  await expect(page.getByTestId("renewal-notice")).toHaveAttribute("data-state", "due");
  expect(await serious(page)).toEqual([]);
  await page.goto("/inapp/kyc/status");

  // Renew: only the identity document's fields and its upload are open.
  await notice.getByTestId("renew-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\?step=identity_document$/);
  await expect(page.getByTestId("step-form")).toBeVisible();
  // Why, in the notice's words (it once printed the raw key "RejectReasons.document_expiry").
  await expect(page.getByTestId("note-identity_document")).toContainText(dueBody);
  expect(await serious(page)).toEqual([]);
  await page.getByLabel(m.Forms.identity_document.documentKindOptions.passport).check();
  await page.fill("#documentNumber", "C01R02861");
  await page.selectOption("#issuingCountry", "DE");
  await page.fill("#expiryDate", utcDay(3650));
  await page.getByTestId("step-continue").click();
  await expect(page).toHaveURL(/\/inapp\/kyc$/);
  await page.goto("/inapp/kyc?view=overview");
  await expect(page.locator('[data-step="personal"]')).toContainText(m.Kyc.keptAsSent);
  await expect(page.locator('[data-step="proof_of_address"]')).toContainText(m.Kyc.keptAsSent);
  await expect(page.getByTestId("documents-proof_of_address").getByRole("link")).toHaveCount(0);
  await expect(page.locator('[data-step="identity_document"]')).not.toContainText(m.Kyc.keptAsSent);
  expect(await serious(page)).toEqual([]);
  await page.getByTestId("documents-identity_document").getByRole("link").click();
  await expect(page.getByTestId("upload-screen")).toBeVisible();
  await expect(page.getByTestId("reviewer-message")).toContainText(dueBody);
  await expect(page.locator("body")).not.toContainText("RejectReasons");
  expect(await serious(page)).toEqual([]);
  await uploadPhoto(page, 2871);
  await expect(page.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });
  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);
  await expect(page.getByTestId("renewal-notice")).toHaveCount(0);

  // The reviewer approves the renewed case; the trader's open status screen follows.
  const casePage = await approve(reviewer, trader);
  await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "approved", {
    timeout: 20_000,
  });
  await page.reload();
  await expect(page.getByTestId("renewal-notice")).toHaveCount(0);
  await expect(page.getByTestId("approved-close-link")).toBeVisible();

  // No delivery destination runs in e2e (no CRM webhook): the console's timeline is the record
  // of what the CRM hears, one outbox event per entry, in this order.
  await reviewer.goto(casePage);
  const events = await reviewer
    .getByTestId("admin-timeline")
    .locator("li")
    .evaluateAll((items) => items.map((li) => li.getAttribute("data-event")));
  expect(events).toEqual([
    "submit",
    "start_review",
    "approve",
    "renewal_due",
    "renew",
    "submit",
    "start_review",
    "approve",
  ]);
  // A second housekeeping sends no second notice: the new document expires in ten years.
  await cron(page);
  await launch(page, { userId: 2861, screen: "status", lang: "de" });
  await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
  await expect(page.getByTestId("renewal-notice")).toHaveCount(0);
});

test("a passport that expires today: approved, expired by the housekeeping, the status screen says so", async ({
  page,
  browser,
}) => {
  const wait = waitPastMidnight();
  test.setTimeout(180_000 + wait);
  await new Promise((resolve) => setTimeout(resolve, wait));
  const m = en as unknown as Catalog;
  const trader = "trader2862@example.com";
  const today = utcDay(0);
  await createStaff(databaseUrl, "expiry.reviewer@broker.example", "reviewer");

  await launch(page, { userId: 2862, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 2875, undefined, today);
  const reviewer = await signIn(browser, "expiry.reviewer@broker.example");
  await approve(reviewer, trader);

  expect((await cron(page)).housekeeping.renewal.expired).toBeGreaterThanOrEqual(1);
  await launch(page, { userId: 2862, screen: "status", lang: "en" });
  await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "expired");
  await expect(page.getByTestId("status-explain")).toHaveText(
    "Your verification has expired and needs to be renewed.",
  );
  const notice = page.getByTestId("renewal-notice");
  await expect(notice).toHaveAttribute("data-state", "expired");
  await expect(notice).toContainText(
    m.Renewal.expiredBody.replace("{date}", longDate(today, "en")),
  );
  // The limits of the level no longer apply as they did while approved.
  await expect(page.getByTestId("limits")).toContainText(
    "These limits apply once your verification is approved.",
  );
  await expect(page.locator('[data-testid=timeline] [data-event="expire"]')).toBeVisible();
  expect(await serious(page)).toEqual([]);

  // Renewing from there opens the identity document step, which says why.
  await notice.getByTestId("renew-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\?step=identity_document$/);
  await expect(page.getByTestId("step-form")).toBeVisible();
  await expect(page.getByTestId("note-identity_document")).toContainText(
    m.Renewal.expiredBody.replace("{date}", longDate(today, "en")),
  );
  expect(await serious(page)).toEqual([]);
});
