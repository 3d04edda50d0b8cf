import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import postgres from "postgres";
import de from "../../messages/de.json";
import { hashPassword } from "../../lib/staff/passwords";
import {
  completeStandardLevel,
  fillProofOfAddress,
  launch,
  uploadPhoto,
  type Catalog,
} from "./fixtures/flow";

/**
 * The compliance console with a trader on the other side: a reviewer rejects with a retry
 * reason, the trader reads it in German and fixes only that item, the case comes back, is
 * high-risk, so a reviewer signs and a second approver co-signs; the trader sees "approved".
 * Needs the e2e server on PostgreSQL (E2E_DATABASE_URL), as CI runs it, to create staff.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const PASSWORD = "e2e staff password 1234";
const m = de as unknown as Catalog;

async function createStaff(sql: postgres.Sql, email: string, role: string) {
  await sql`insert into staff_users (email, display_name, role, password_hash)
    values (${email}, ${email.split("@")[0]!}, ${role}, ${await hashPassword(PASSWORD)})
    on conflict do nothing`;
}

async function signIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto("/admin/login");
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("queue")).toBeVisible();
  return page;
}

async function serious(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

async function openCase(page: Page, email: string) {
  await page.goto("/admin");
  await page.getByRole("link", { name: email }).first().click();
  await expect(page.getByTestId("case-title")).toContainText(email);
}

test("reject with a retry reason, fix one item, four-eyes approval, the trader sees approved", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await createStaff(sql, "reviewer@broker.example", "reviewer");
    await createStaff(sql, "approver@broker.example", "approver");
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

    // The automated checks put it back in review; make it high-risk (as a sanctions warn would).
    await expect
      .poll(
        async () =>
          (
            await sql`select status from kyc_cases k join traders t on t.id = k.trader_id where t.email = ${trader}`
          )[0]?.status,
        { timeout: 20_000 },
      )
      .toBe("in_review");
    await sql`update kyc_cases set risk_level = 'high', four_eyes_required = true
      where trader_id = (select id from traders where email = ${trader})`;

    await page.goto("/inapp/kyc/status");
    await expect(page.getByTestId("status-live")).toHaveAttribute("data-status", "in_review");

    // Four eyes: the reviewer signs; the approver co-signs.
    await openCase(reviewer, trader);
    await reviewer.getByTestId("approve").click();
    await expect(reviewer.getByTestId("outcome")).toContainText("second approver");
    await expect(reviewer.getByTestId("case-status")).toHaveText("in_review");
    const approver = await signIn(browser, "approver@broker.example");
    await openCase(approver, trader);
    await expect(approver.getByTestId("approve")).toHaveText("Co-sign approval");
    await approver.getByTestId("approve").click();
    await expect(approver.getByTestId("case-status")).toHaveText("approved");

    // The trader's status screen, open all along, turns to approved live (SSE), and offers to close.
    await expect(page.locator(".badge")).toHaveAttribute("data-status", "approved", {
      timeout: 20_000,
    });
    await expect(page.getByTestId("approved-close-link")).toBeVisible();

    // A trader's session is no way into the console.
    const traderInConsole = await page.goto("/admin");
    expect(traderInConsole?.url()).toContain("/admin/login");
  } finally {
    await sql.end();
  }
});

test("a case that does not exist shows the console's not-found page with the way back to the queue", async ({
  browser,
}) => {
  const sql = postgres(databaseUrl, { max: 1 });
  try {
    await createStaff(sql, "lost.reviewer@broker.example", "reviewer");
  } finally {
    await sql.end();
  }
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
