import { expect, test, type Locator } from "@playwright/test";
import en from "../../messages/en.json";
import { createStaff, openCase, signIn } from "./fixtures/console";
import { completeStandardLevel, launch, type Catalog } from "./fixtures/flow";

/**
 * Officers work from many time zones: every console time shows in the browser's zone, with the
 * exact UTC value on hover (the `title`). The server renders UTC; the zone is the browser's, so
 * only a browser in another zone shows the difference.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const REVIEWER = "zones.reviewer@broker.example";
const TRADER = "trader2231@example.com";

/** What an officer in `timeZone` should read for the instant `iso` (en, as the console's lang). */
const inZone = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone }).format(
    new Date(iso),
  );

/** Spaces as Chromium and Node may print them differently (narrow no-break before AM/PM). */
const plain = (text: string) => text.replace(/[\s\u202f]+/g, " ").trim();

async function expectZoneTime(time: Locator, timeZone: string) {
  const iso = (await time.getAttribute("datetime")) ?? "";
  expect(iso).toMatch(/^\d{4}-\d\d-\d\dT/);
  const utc = `${iso.replace("T", " ").slice(0, 16)} UTC`;
  await expect(time).toHaveAttribute("title", utc);
  await expect
    .poll(async () => plain((await time.textContent()) ?? ""))
    .toBe(plain(inZone(iso, timeZone)));
  // Not the UTC reading under another name: the zones here are hours away from UTC.
  expect(plain(inZone(iso, timeZone))).not.toBe(plain(inZone(iso, "UTC")));
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  await createStaff(databaseUrl, REVIEWER, "reviewer");
  const trader = await (await browser.newContext()).newPage();
  await launch(trader, { userId: 2231, screen: "kyc", lang: "en" });
  await completeStandardLevel(trader, en as unknown as Catalog, 2231);
});

for (const timeZone of ["Asia/Tokyo", "America/Los_Angeles"]) {
  test(`an officer in ${timeZone} reads queue and case times in that zone, UTC on hover`, async ({
    browser,
  }) => {
    const officer = await signIn(browser, REVIEWER, { timezoneId: timeZone });
    const row = officer.locator("tr", { hasText: TRADER });
    await expect(row).toBeVisible();
    await expectZoneTime(row.getByTestId("officer-time").first(), timeZone);

    await openCase(officer, TRADER);
    const times = officer.getByTestId("officer-time");
    expect(await times.count()).toBeGreaterThan(1);
    await expectZoneTime(times.first(), timeZone);
    await expectZoneTime(
      officer.getByTestId("admin-timeline").getByTestId("officer-time").last(),
      timeZone,
    );
  });
}
