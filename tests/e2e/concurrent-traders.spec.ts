import { expect, test } from "@playwright/test";
import en from "../../messages/en.json";
import { completeStandardLevel, launch, type Catalog } from "./fixtures/flow";

/**
 * Three traders complete the standard level at the same time, each in their own browser, typing
 * (autosave) and pressing "Save and continue" as people do. A late autosave must never undo a
 * completed step: every trader reaches the upload links and submits, with all three steps done.
 */
const m = en as unknown as Catalog;

test("three traders complete the flow concurrently; every completed step stays completed", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const traders = [2601, 2602, 2603];
  await Promise.all(
    traders.map(async (userId) => {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await launch(page, { userId, screen: "kyc", lang: "en" });
      await completeStandardLevel(page, m, userId);
      await expect(page.getByTestId("timeline").locator('[data-event="submit"]')).toBeVisible();
      await page.goto("/inapp/kyc?view=overview");
      await expect(page.getByTestId("progress")).toContainText("3 of 3");
      await context.close();
    }),
  );
});
