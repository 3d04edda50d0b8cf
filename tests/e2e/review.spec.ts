import { expect, test } from "@playwright/test";
import de from "../../messages/de.json";
import { createStaff, openCase, serious, signIn } from "./fixtures/console";
import {
  completeStandardLevel,
  fillProofOfAddress,
  launch,
  uploadPhoto,
  type Catalog,
} from "./fixtures/flow";

/**
 * The compliance console with a trader on the other side: a reviewer rejects with a retry
 * reason, the trader reads it in German and fixes only that item, the case comes back, its
 * checks run, and the reviewer approves; the trader's open status screen turns to "approved".
 * Needs the e2e server on PostgreSQL (E2E_DATABASE_URL), as CI runs it, to create staff with
 * `npm run staff:create`.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = de as unknown as Catalog;

test("reject with a retry reason, fix one item, the checks run again, approval reaches the trader live", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await createStaff(databaseUrl, "reviewer@broker.example", "reviewer");
  const trader = "trader2401@example.com";

  // The trader submits a standard level in German.
  await launch(page, { userId: 2401, screen: "kyc", lang: "de" });
  await completeStandardLevel(page, m, 41);

  // The console: login page, queue and case page pass axe.
  const anonymous = await (await browser.newContext()).newPage();
  await anonymous.goto("/admin/login");
  expect(await serious(anonymous)).toEqual([]);
  const reviewer = await signIn(browser, "reviewer@broker.example");
  expect(await serious(reviewer)).toEqual([]);
  await openCase(reviewer, trader);
  expect(await serious(reviewer)).toEqual([]);

  // Reject: the proof of address is not acceptable (retry).
  await reviewer.selectOption("[data-testid=reject-reason]", "address_proof_invalid");
  await reviewer.fill("#rejectNote", "Bill older than 3 months");
  await reviewer.getByTestId("reject").click();
  await expect(reviewer.getByTestId("outcome")).toContainText("Rejected");
  await expect(reviewer.getByTestId("case-status")).toHaveText("rejected");

  // The trader reads the reason in German and fixes only that item.
  await page.goto("/inapp/kyc/status");
  await expect(page.getByTestId("rejection-reason")).toContainText(
    m.RejectReasons.address_proof_invalid,
  );
  await page.goto("/inapp/kyc");
  await page.getByTestId("retry-case").click();
  await expect(page.locator("h1")).toHaveText(m.Forms.proof_of_address.title);
  await page.goto("/inapp/kyc?view=overview");
  await expect(page.locator('[data-step="personal"]')).toContainText(m.Kyc.keptAsSent);
  await page.goto("/inapp/kyc?step=proof_of_address");
  await fillProofOfAddress(page, m);
  await page.getByTestId("documents-proof_of_address").getByRole("link").click();
  await uploadPhoto(page, 43);
  await expect(page.getByTestId("upload-done")).toBeVisible();
  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);

  // The second round's checks run; until then approval is not offered.
  await expect
    .poll(
      async () => {
        await openCase(reviewer, trader);
        return reviewer.getByTestId("approve").isEnabled();
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  await expect(reviewer.getByTestId("case-status")).toHaveText("in_review");
  await reviewer.getByTestId("approve").click();
  await expect(reviewer.getByTestId("case-status")).toHaveText("approved");

  // The trader's status screen, open all along, turns to approved live (SSE), and offers to close.
  await expect(page.locator(".badge")).toHaveAttribute("data-status", "approved", {
    timeout: 20_000,
  });
  await expect(page.getByTestId("approved-close-link")).toBeVisible();

  // A trader's session is no way into the console.
  const traderInConsole = await page.goto("/admin");
  expect(traderInConsole?.url()).toContain("/admin/login");
});

test("a case that does not exist shows the console's not-found page with the way back to the queue", async ({
  browser,
}) => {
  await createStaff(databaseUrl, "lost.reviewer@broker.example", "reviewer");
  const page = await signIn(browser, "lost.reviewer@broker.example");
  for (const path of ["/admin/cases/00000000-0000-4000-8000-000000000000", "/admin/cases/nope"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByTestId("admin-not-found")).toBeVisible();
  }
  await page.getByRole("link", { name: "Back to the queue" }).click();
  await expect(page.getByTestId("queue")).toBeVisible();
  expect(await serious(page)).toEqual([]);
});
