import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import en from "../../messages/en.json";
import { createStaff, signIn } from "../e2e/fixtures/console";
import { fillPassport, fillPersonal, launch, type Catalog } from "../e2e/fixtures/flow";
import { onfidoCheckOf, runHousekeeping, vendorPostsWebhook, vendorWillAnswer } from "./embedded";
import { routeVendorSdks } from "./sdk";

/**
 * A vendor's verdict after the approval, in the console: a trader verified by Onfido alone is
 * approved before Onfido answers; Onfido's signed "consider" then opens the case's
 * `vendor_verdict` task (the account held); an approver keeps the approval through the page's
 * confirmation dialog, which needs a note: an empty one stops before the dialog, a blank one is
 * refused by the server, and neither changes anything. Confirmed, the task closes, the decision
 * and its note are in the case's history, and the hold is lifted.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;
const APPROVER = "onfido.keeper@broker.example";
const USER_ID = 2877;
const TRADER_EMAIL = `trader${USER_ID}@example.com`;
const NOTE = "Compared the selfie with the passport photo again: the same person.";

test("an approver keeps the approval after Onfido's late consider: note required, confirmed in a dialog, the task closed and the hold lifted", async ({
  page,
  browser,
}) => {
  await createStaff(databaseUrl, APPROVER, "approver");
  await routeVendorSdks(page.context());

  // The trader: the forms, Onfido's capture in its SDK, the submit.
  await launch(page, { userId: USER_ID, screen: "kyc", lang: "en", kycType: "basic_onfido" });
  await fillPersonal(page);
  await page.getByTestId("personal-continue").click();
  await fillPassport(page, m, `ON000${USER_ID}`);
  await page.getByTestId("next-step").getByRole("link", { name: m.VendorStep.start }).click();
  await page.getByTestId("vendor-step").getByRole("button", { name: m.VendorStep.start }).click();
  const onfido = page.frameLocator('#vendor-sdk iframe[title="Onfido"]');
  await expect(onfido.getByTestId("sdk-token")).toHaveText(/^sdk\.applicant-\d+$/);
  const applicantId = (await onfido.getByTestId("sdk-token").textContent())!.slice("sdk.".length);
  await onfido.getByTestId("sdk-finish").click();
  await expect(page.getByTestId("vendor-done")).toHaveText(m.VendorStep.done);
  const checkId = await onfidoCheckOf(page.request, applicantId);
  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);

  // The approver does not wait for Onfido: the checks ran ("no verdict yet"), approve.
  const approver = await signIn(browser, APPROVER);
  await expect
    .poll(
      async () => {
        await runHousekeeping(page.request);
        await approver.goto("/admin");
        await approver
          .locator("tr", { hasText: TRADER_EMAIL })
          .getByTestId("trader-name")
          .first()
          .click();
        await expect(approver.getByTestId("case-title")).toContainText(TRADER_EMAIL);
        return approver.getByTestId("approve").isEnabled();
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  const caseUrl = new URL(approver.url()).pathname;
  await approver.getByTestId("approve").click();
  await approver.getByTestId("approve-yes").click();
  await expect(approver.getByTestId("outcome")).toHaveAttribute("data-outcome", "approved");
  await expect(approver.getByTestId("vendor-verdict-task")).toHaveCount(0);

  // Then Onfido: the photo comparison to be considered, signed and posted to our webhook.
  await vendorWillAnswer(page.request, "onfido/check", {
    result: "consider",
    reports: [
      { name: "document", status: "complete", result: "clear" },
      {
        name: "facial_similarity_photo",
        status: "complete",
        result: "consider",
        sub_result: "consider",
      },
    ],
  });
  expect(await vendorPostsWebhook(page.request, "onfido/webhook", { checkId })).toEqual({
    status: 200,
    body: { ok: true, outcome: "recorded" },
  });

  // The case is in the monitoring tab, its page names the vendor's reasons and the hold.
  await approver.goto("/admin?queue=monitoring");
  await approver.locator("tr", { hasText: TRADER_EMAIL }).getByTestId("trader-name").click();
  await expect(approver).toHaveURL(new RegExp(`${caseUrl}(\\?|$)`));
  const task = approver.getByTestId("vendor-verdict-task");
  await expect(task).toBeVisible();
  await expect(task.locator('[data-signal="faceMatch"]')).toBeVisible();
  await expect(task.locator('[data-label="facial_similarity_photo:consider"]')).toBeVisible();
  await expect(task).toContainText(m.ConsoleCase.summary.lateVerdictHold);

  const note = task.getByLabel(m.ConsoleCase.summary.keepApprovalNote);
  const keep = task.getByTestId("keep-approval");
  const dialog = approver.getByTestId("keep-approval-confirm");
  await expect(keep).toHaveText(m.ConsoleCase.summary.keepApproval);

  // No note: the form says what is missing at the note, and no dialog opens.
  await keep.click();
  await expect(dialog).toBeHidden();
  await expect(note).toBeFocused();
  expect(await note.evaluate((el: HTMLTextAreaElement) => el.validity.valueMissing)).toBe(true);
  expect(await note.evaluate((el: HTMLTextAreaElement) => el.validationMessage)).not.toBe("");

  // A note of spaces gets past the browser, not past the server: refused in words, nothing changed.
  await note.fill(" ".repeat(12));
  await keep.click();
  await expect(dialog).toBeVisible();
  await dialog.getByTestId("keep-approval-yes").click();
  await expect(approver.getByTestId("outcome")).toHaveAttribute("data-error", "reason_required");
  await expect(approver.getByTestId("outcome")).toHaveText(m.ConsoleCase.refusal.reason_required);
  await expect(task).toBeVisible();
  await expect(approver.locator('[data-decision="vendor_verdict"]')).toHaveCount(0);

  // A real note: the confirmation step asks, in an accessible dialog; cancelling keeps the note.
  await note.fill(NOTE);
  await keep.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(m.Confirm.keepApproval);
  await expect(dialog.getByTestId("keep-approval-yes")).toHaveText(m.Confirm.yes);
  const axe = await new AxeBuilder({ page: approver })
    .include('[data-testid="keep-approval-confirm"]')
    .analyze();
  expect(
    axe.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
  await dialog.getByTestId("keep-approval-cancel").click();
  await expect(dialog).toBeHidden();
  await expect(note).toHaveValue(NOTE);
  await expect(approver.locator('[data-decision="vendor_verdict"]')).toHaveCount(0);

  await keep.click();
  await dialog.getByTestId("keep-approval-yes").click();

  // Kept: the task is closed, the decision and its note are in the case's history, the hold is
  // lifted (the outcome says so), and the case left the monitoring tab, still approved.
  await expect(approver.getByTestId("outcome")).toHaveAttribute("data-outcome", "approval_kept");
  await expect(approver.getByTestId("outcome")).toHaveText(m.ConsoleCase.outcome.approval_kept);
  await expect(approver.getByTestId("vendor-verdict-task")).toHaveCount(0);
  await expect(approver.getByText(m.ConsoleCase.summary.lateVerdictHold)).toHaveCount(0);
  await expect(approver.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
  const kept = approver.getByTestId("decision-log").locator('[data-decision="vendor_verdict"]');
  await expect(kept).toHaveCount(1);
  await expect(kept).toContainText(NOTE);
  await approver.goto("/admin?queue=monitoring");
  await expect(approver.locator("tr", { hasText: TRADER_EMAIL })).toHaveCount(0);
  await launch(page, { userId: USER_ID, screen: "status", lang: "en" });
  await expect(page.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
});
