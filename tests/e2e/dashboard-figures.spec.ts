import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import ar from "../../messages/ar.json";
import en from "../../messages/en.json";
import { createStaff, openDecidable, serious, signIn } from "./fixtures/console";
import { completeStandardLevel, launch, type Catalog } from "./fixtures/flow";

/**
 * The dashboard's figures against the cases behind them, and the console in Arabic. Three traders
 * submit through the simulator; a reviewer approves one, rejects one and leaves one waiting. The
 * head of compliance's dashboard counts exactly those three more (by status), a period before
 * any of them counts none, and the cases CSV lists them with their statuses. An admin who works
 * in Arabic gets the case page, the dashboard and the audit trail right to left, clean under axe.
 * Other specs share the database: figures are compared before and after.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");
test.describe.configure({ mode: "serial" });

const m = en as unknown as Catalog;
const HEAD = "figures.head@broker.example";
const REVIEWER = "figures.reviewer@broker.example";
const ADMIN = "figures.admin@broker.example";
const TRADERS = { approved: 2224, rejected: 2225, waiting: 2226 } as const;
const email = (userId: number) => `trader${userId}@example.com`;
const WAITING = ["submitted", "resubmitted", "in_review"];

/** Cases by status as the dashboard's table shows them (a status with no case has no row). */
async function casesByStatus(page: Page): Promise<Record<string, number>> {
  const rows = await page
    .getByTestId("cases-table")
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.getAttribute("data-status") ?? "",
        Number(tr.querySelector("td[data-total]")?.textContent ?? "NaN"),
      ]),
    );
  return Object.fromEntries(rows);
}
const count = (figures: Record<string, number>, statuses: string[]) =>
  statuses.reduce((sum, s) => sum + (figures[s] ?? 0), 0);
const total = (figures: Record<string, number>) => count(figures, Object.keys(figures));

let head: Page;
const caseIds: Record<keyof typeof TRADERS, string> = { approved: "", rejected: "", waiting: "" };
let before: Record<string, number>;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(360_000);
  await createStaff(databaseUrl, HEAD, "approver");
  await createStaff(databaseUrl, REVIEWER, "reviewer");
  await createStaff(databaseUrl, ADMIN, "admin");
  head = await signIn(browser, HEAD);
  await head.goto("/admin/dashboard");
  before = await casesByStatus(head);

  for (const userId of Object.values(TRADERS)) {
    const context = await browser.newContext();
    const trader = await context.newPage();
    await launch(trader, { userId, screen: "kyc", lang: "en" });
    await completeStandardLevel(trader, m, userId * 10 + 1);
    await context.close();
  }
  const reviewer = await signIn(browser, REVIEWER);
  for (const key of Object.keys(TRADERS) as (keyof typeof TRADERS)[]) {
    await openDecidable(reviewer, email(TRADERS[key]));
    caseIds[key] = new URL(reviewer.url()).pathname.split("/").pop() ?? "";
    if (key === "approved") {
      await reviewer.getByTestId("approve").click();
      await reviewer.getByTestId("approve-yes").click();
      await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "approved");
    } else if (key === "rejected") {
      await reviewer.selectOption("[data-testid=reject-reason]", "fraud_suspected");
      await reviewer.getByTestId("reject").click();
      await reviewer.getByTestId("reject-yes").click();
      await expect(reviewer.getByTestId("case-status")).toHaveAttribute("data-status", "rejected");
    }
  }
});

test("the figures count the cases made, a period before them counts none, and the CSV lists them", async () => {
  test.setTimeout(120_000);
  await head.goto("/admin/dashboard");
  const after = await casesByStatus(head);
  expect(total(after) - total(before)).toBe(3);
  expect(count(after, ["approved"]) - count(before, ["approved"])).toBe(1);
  expect(count(after, ["rejected"]) - count(before, ["rejected"])).toBe(1);
  expect(count(after, WAITING) - count(before, WAITING)).toBe(1);

  // The rows behind the figure: these three cases with their statuses now.
  const download = head.waitForEvent("download");
  await head.getByTestId("export-cases").click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^cases-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync(await file.path(), "utf8")
    .trim()
    .split("\r\n");
  expect(lines[0]).toBe("case_id,level,status,trigger,risk,opened_at");
  const statusOf = (id: string) => lines.find((l) => l.startsWith(`${id},`))?.split(",")[2];
  expect(statusOf(caseIds.approved)).toBe("approved");
  expect(statusOf(caseIds.rejected)).toBe("rejected");
  expect(WAITING).toContain(statusOf(caseIds.waiting));
  // As many rows as the table counts.
  expect(lines.length - 1).toBe(total(after));

  // A month long before any case: the form's period, in the URL, counts nothing.
  const period = head.getByTestId("period");
  await period.locator("input[name=from]").fill("2020-01-01");
  await period.locator("input[name=to]").fill("2020-01-31");
  await period.getByRole("button", { name: en.ConsoleAdmin.dashboard.show }).click();
  await expect(head).toHaveURL(/[?&]from=2020-01-01&to=2020-01-31$/);
  await expect(head.getByTestId("period-text")).toContainText("(UTC, 31 days)");
  expect(total(await casesByStatus(head))).toBe(0);
  await expect(head.getByTestId("rejections")).toHaveText("0");
  await expect(head.getByTestId("approvals")).toHaveText("0");
  const empty = head.waitForEvent("download");
  await head.getByTestId("export-cases").click();
  const none = await empty;
  expect(none.suggestedFilename()).toBe("cases-2020-01-01-to-2020-01-31.csv");
  expect(
    readFileSync(await none.path(), "utf8")
      .trim()
      .split("\r\n"),
  ).toEqual(["case_id,level,status,trigger,risk,opened_at"]);

  // A preset keeps the chosen end day: the last 7 days of that January.
  await head.getByRole("link", { name: "7 days" }).click();
  await expect(head).toHaveURL(/[?&]from=2020-01-25&to=2020-01-31$/);
  await expect(head.getByTestId("period-text")).toContainText("(UTC, 7 days)");
  expect(total(await casesByStatus(head))).toBe(0);
});

test("in Arabic the case page, the dashboard and the audit trail read right to left and pass axe", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const admin = await signIn(browser, ADMIN);
  await admin.getByRole("link", { name: en.Console.nav.account }).click();
  await admin.getByTestId("language-select").selectOption("ar");
  await admin.getByTestId("language-save").click();
  await admin.waitForURL(/\/admin\/account\?outcome=language_saved$/);

  const pages = [
    { name: "case", path: `/admin/cases/${caseIds.waiting}`, ready: "[data-testid=case-summary]" },
    { name: "dashboard", path: "/admin/dashboard", ready: "[data-testid=cases-table]" },
    { name: "audit", path: "/admin/audit", ready: "[data-testid=audit-rows]" },
  ];
  for (const entry of pages) {
    await admin.goto(entry.path);
    await expect(admin.locator(entry.ready)).toBeVisible();
    await expect(admin.locator("html"), entry.name).toHaveAttribute("lang", "ar");
    await expect(admin.locator("html"), entry.name).toHaveAttribute("dir", "rtl");
    expect({ page: entry.name, violations: await serious(admin) }).toEqual({
      page: entry.name,
      violations: [],
    });
  }
  // The words are Arabic, not English left in place.
  await admin.goto("/admin/dashboard");
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(
    ar.ConsoleAdmin.dashboard.title,
  );
  await admin.goto("/admin/audit");
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(ar.ConsoleAdmin.audit.title);
});
