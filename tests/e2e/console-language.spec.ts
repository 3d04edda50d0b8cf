import { expect, test } from "@playwright/test";
import ar from "../../messages/ar.json";
import de from "../../messages/de.json";
import en from "../../messages/en.json";
import { createStaff, serious, signIn } from "./fixtures/console";
import { completeStandardLevel, launch, type Catalog } from "./fixtures/flow";

/**
 * The console's language in a real browser: an officer switches it on the account page and the
 * queue follows, Arabic laid out right to left and still clean under axe; the sign-in page
 * offers the choice before there is an account. Needs the e2e server on PostgreSQL.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

test("an officer switches the console to Arabic on the account page and works the queue right to left", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await createStaff(databaseUrl, "lang.reviewer@broker.example", "reviewer");
  // A real case in the queue, from a trader who works in German (the console does not follow).
  await launch(page, { userId: 2751, screen: "kyc", lang: "de" });
  await completeStandardLevel(page, de as unknown as Catalog, 51);

  const officer = await signIn(browser, "lang.reviewer@broker.example");
  await expect(officer.locator("html")).toHaveAttribute("lang", "en");
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText(en.Console.queue.title);

  await officer.getByRole("link", { name: en.Console.nav.account }).click();
  await officer.getByTestId("language-select").selectOption("ar");
  await officer.getByTestId("language-save").click();
  await officer.waitForURL(/\/admin\/account\?outcome=language_saved$/);
  await expect(officer.getByTestId("outcome")).toHaveText(ar.Console.language.saved);
  await expect(officer.locator("html")).toHaveAttribute("dir", "rtl");

  await officer.getByRole("link", { name: ar.Console.nav.queue }).click();
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText(ar.Console.queue.title);
  await expect(officer.locator("html")).toHaveAttribute("lang", "ar");
  await expect(officer.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(officer.getByTestId("console")).toHaveAttribute("dir", "rtl");
  const row = officer.locator("tr", { hasText: "trader2751@example.com" });
  await expect(row.getByRole("button", { name: ar.Console.queue.claim })).toBeVisible();
  await expect(officer.getByTestId("next-case")).toHaveText(ar.Console.queue.nextCase);
  // Right to left for real: the navigation starts at the right edge of the header.
  const brand = await officer.locator(".shell-header .brand").boundingBox();
  const nav = await officer.locator(".shell-header nav.actions").boundingBox();
  expect(brand && nav && brand.x > nav.x).toBe(true);
  expect(await serious(officer)).toEqual([]);

  // Back to German: the next page follows at once.
  await officer.getByRole("link", { name: ar.Console.nav.account }).click();
  await officer.getByTestId("language-select").selectOption("de");
  await officer.getByTestId("language-save").click();
  await officer.waitForURL(/\/admin\/account\?outcome=language_saved$/);
  await officer.goto("/admin");
  await expect(officer.getByRole("heading", { level: 1 })).toHaveText(de.Console.queue.title);
  await expect(officer.locator("html")).toHaveAttribute("dir", "ltr");
});

test("the sign-in page offers the console language before there is an account", async ({
  browser,
}) => {
  const page = await (await browser.newContext({ locale: "en-US" })).newPage();
  await page.goto("/admin/login");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(en.Console.login.title);
  await page.getByTestId("language-select").selectOption("de");
  await page.getByTestId("language-save").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(de.Console.login.title);
  await expect(page.getByLabel(de.Console.login.password)).toBeVisible();
  expect(await serious(page)).toEqual([]);
});
