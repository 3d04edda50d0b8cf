import { expect, test, type Page } from "@playwright/test";
import en from "../../messages/en.json";
import { createStaff, keepScreenshot, openCase, serious, signIn } from "./fixtures/console";
import { completeStandardLevel, launch, type Catalog } from "./fixtures/flow";

/**
 * The head of compliance's dashboard in the browser: a trader submits through the simulator, a
 * reviewer rejects the case in the console, and the approver's dashboard counts the case, the
 * reviewer's decision and the rejection with its reason; the page passes axe, and a 1280×800
 * screenshot is kept (test-results/console/dashboard.png). Other specs may share the database,
 * so the figures are compared before and after.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;

async function figure(page: Page, id: string): Promise<string> {
  return ((await page.getByTestId(id).textContent()) ?? "").trim();
}

test("the dashboard counts a case decided in the console, passes axe, and is kept as a screenshot", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await createStaff(databaseUrl, "dash.reviewer@broker.example", "reviewer");
  await createStaff(databaseUrl, "head@broker.example", "approver");
  const head = await signIn(browser, "head@broker.example");
  await head.getByRole("link", { name: "Dashboard" }).click();
  await expect(head.getByRole("heading", { level: 1 })).toHaveText("Dashboard");
  const rejectionsBefore = Number(await figure(head, "rejections"));

  const trader = "trader2801@example.com";
  await launch(page, { userId: 2801, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 81);

  const reviewer = await signIn(browser, "dash.reviewer@broker.example");
  // Reviewers work the queue: no dashboard for them.
  await expect(reviewer.getByRole("link", { name: "Dashboard" })).toHaveCount(0);
  await reviewer.goto("/admin/dashboard");
  await expect(reviewer).toHaveURL(/\/admin\?error=forbidden$/);
  await expect
    .poll(
      async () => {
        await openCase(reviewer, trader);
        return reviewer.getByTestId("reject").isEnabled();
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  await reviewer.selectOption("[data-testid=reject-reason]", "fraud_suspected");
  await reviewer.fill("#rejectNote", "Forged utility bill");
  await reviewer.getByTestId("reject").click();
  await reviewer.getByTestId("reject-yes").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "rejected");

  await head.setViewportSize({ width: 1280, height: 800 });
  await head.reload();
  expect(Number(await figure(head, "rejections"))).toBe(rejectionsBefore + 1);
  await expect(
    head.getByTestId("chart-reasons").locator('[data-bar="fraud_suspected"]'),
  ).toBeVisible();
  await expect(
    head.getByTestId("decisions-table").locator('[data-reviewer^="dash.reviewer"]'),
  ).toBeVisible();
  await expect(head.getByTestId("cases-table").locator('[data-status="rejected"]')).toBeVisible();
  await expect(head.getByTestId("lists-table")).toContainText("ofac-sdn-excerpt");
  await expect(head.locator('svg[role="img"] title').first()).toHaveText(/Cases opened/);

  // The CSV behind the decisions figure.
  const download = head.waitForEvent("download");
  await head.getByTestId("export-decisions").click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(
    /^decisions-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/,
  );

  expect(await serious(head)).toEqual([]);
  await head.evaluate(() => window.scrollTo(0, 0));
  await keepScreenshot(head, "dashboard");

  // A bad period in the URL falls back to the default one.
  await head.goto("/admin/dashboard?from=not-a-day&to=2026-99-99");
  await expect(head.getByTestId("period-text")).toContainText("(UTC, 30 days)");
});
