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
  await reviewer.getByTestId("reject-yes").click();
  await expect(reviewer.getByTestId("outcome")).toContainText("Rejected");
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "rejected");

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
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "in_review");
  await reviewer.getByTestId("approve").click();
  await reviewer.getByTestId("approve-yes").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "approved");

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

test("the case page: a summary on top, documents to zoom and rotate, shortcuts, and decisions that ask first", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  await createStaff(databaseUrl, "keys.reviewer@broker.example", "reviewer");
  // Two traders send the standard level, one after the other: two cases in the queue.
  for (const userId of [2411, 2412]) {
    const trader = await (await browser.newContext()).newPage();
    await launch(trader, { userId, screen: "kyc", lang: "de" });
    await completeStandardLevel(trader, m, userId);
  }
  const first = "trader2411@example.com";
  const second = "trader2412@example.com";
  const reviewer = await signIn(browser, "keys.reviewer@broker.example");
  await expect
    .poll(
      async () => {
        await openCase(reviewer, first);
        return reviewer.getByTestId("summary-checks").getAttribute("class");
      },
      { timeout: 30_000 },
    )
    .not.toBe("muted");

  // The summary: who, the level and why, the risk, the checks, the documents' quality.
  const summary = reviewer.getByTestId("case-summary");
  await expect(summary.getByTestId("summary-name")).toHaveText("Lea Brandt");
  await expect(summary.getByTestId("summary-dob")).toHaveText("1988-04-12");
  // The simulator gives user 2411 the trading login 5202411 (lib/dev/ctrader-simulator.ts).
  await expect(summary.getByTestId("summary-account")).toHaveText("user 2411 · login 5202411");
  await expect(summary.getByTestId("summary-level")).toHaveText("Standard");
  // Launched from the app with no trigger named: a manual check.
  await expect(summary.getByTestId("summary-trigger")).toHaveAttribute("data-trigger", "manual");
  await expect(summary.getByTestId("summary-trigger")).toHaveText("Manual");
  await expect(summary.getByTestId("summary-risk")).toHaveAttribute("data-risk", /low|medium/);
  await expect(summary.getByTestId("summary-documents").locator("li")).toHaveCount(2);
  await expect(summary.getByTestId("summary-quality").first()).toContainText("brightness");
  const time = reviewer.getByTestId("officer-time").first();
  await expect(time).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  expect(await serious(reviewer)).toEqual([]);

  // The identity document beside what it should show; zoom and rotate by button and by key.
  const identity = reviewer.locator(
    '[data-testid=document-compare][data-document-type="identity"]',
  );
  await expect(identity.locator('[data-field="documentKind"]')).toHaveText("Passport");
  const stage = identity.getByTestId("viewer-stage");
  await identity.getByTestId("viewer-zoom-in").click();
  await identity.getByTestId("viewer-zoom-in").click();
  await expect(stage).toHaveAttribute("data-zoom", "1.5");
  await expect(identity.getByTestId("viewer-zoom")).toHaveText("Zoom 150 %");
  await identity.getByTestId("viewer-rotate").click();
  await expect(stage).toHaveAttribute("data-rotation", "90");
  await stage.focus();
  await reviewer.keyboard.press("-");
  await expect(stage).toHaveAttribute("data-zoom", "1.25");
  await reviewer.keyboard.press("r");
  await expect(stage).toHaveAttribute("data-rotation", "180");
  // R on the picture rotates; it does not start a rejection.
  await expect(reviewer.getByTestId("reject-confirm")).toBeHidden();
  await reviewer.keyboard.press("0");
  await expect(stage).toHaveAttribute("data-zoom", "1");
  await expect(stage).toHaveAttribute("data-rotation", "0");
  await expect(identity.getByTestId("viewer-image")).toBeVisible();

  // ? lists the shortcuts in a dialog; Escape or ? closes it.
  await reviewer.locator("h1").click();
  await reviewer.keyboard.press("?");
  const help = reviewer.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(help).toBeVisible();
  await expect(help).toContainText("Next case in the queue");
  expect(await serious(reviewer)).toEqual([]);
  await reviewer.keyboard.press("Escape");
  await expect(help).toBeHidden();
  await reviewer.keyboard.press("?");
  await expect(help).toBeVisible();
  await reviewer.keyboard.press("?");
  await expect(help).toBeHidden();

  // Typing in a field: the letters are text, not shortcuts.
  await reviewer.fill("#rejectNote", "ja, ok");
  await reviewer.locator("#rejectNote").press("a");
  await expect(reviewer.getByTestId("approve-confirm")).toBeHidden();
  await expect(reviewer.locator("#rejectNote")).toHaveValue("ja, oka");

  // r asks before rejecting; Cancel leaves the case as it was.
  await reviewer.locator("h1").click();
  await reviewer.keyboard.press("r");
  const reject = reviewer.getByRole("dialog", { name: /Reject this case/ });
  await expect(reject).toBeVisible();
  await reject.getByTestId("reject-cancel").click();
  await expect(reject).toBeHidden();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "in_review");

  // j opens the next case in the queue (the second trader's, or one sent in between), k comes back.
  const here = reviewer.url();
  await reviewer.keyboard.press("j");
  await expect(reviewer).not.toHaveURL(here);
  await expect(reviewer.getByTestId("case-title")).not.toContainText(first);
  await reviewer.keyboard.press("k");
  await expect(reviewer.getByTestId("case-title")).toContainText(first);

  // a asks before approving; confirmed, the case is approved.
  await reviewer.locator("h1").click();
  await reviewer.keyboard.press("a");
  const approve = reviewer.getByRole("dialog", { name: /Approve this case/ });
  await expect(approve).toBeVisible();
  await approve.getByTestId("approve-yes").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "approved");

  // i takes the reviewer to the message for the trader on the next case.
  await openCase(reviewer, second);
  await reviewer.locator("h1").click();
  await reviewer.keyboard.press("i");
  await expect(reviewer.getByTestId("message")).toBeFocused();
});
