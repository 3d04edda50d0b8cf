import { expect, test, type Page } from "@playwright/test";
import de from "../../messages/de.json";

test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

async function openAs(page: Page, userId: number) {
  const response = await page.request.post("/api/dev/simulator/launch", {
    data: { userId, screen: "kyc", lang: "de", theme: "light", source: "Android" },
  });
  const { path } = (await response.json()) as { path: string };
  await page.goto(path);
  await expect(page.getByTestId("personal-form")).toBeVisible();
}

test("personal information on a phone in German: localized errors, autosave, resume on another device, done", async ({
  page,
  browser,
}) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await openAs(page, 1004);

  await page.fill("#givenNames", "María José");
  await page.fill("#surnames", "García López");
  await page.fill("#dateOfBirth", "2015-03-01");
  await page.getByTestId("personal-continue").click();
  await expect(page.getByTestId("error-summary")).toBeVisible();
  await expect(page.getByTestId("error-dateOfBirth")).toHaveText(de.Errors.underage);
  await expect(page.locator("#dateOfBirth")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#givenNames")).toHaveValue("María José");

  await page.fill("#dateOfBirth", "1991-10-05");
  await page.fill("#placeOfBirth", "Sevilla");
  await page.selectOption("#countryOfBirth", "ES");
  await page.selectOption("#nationalities", "ES");
  await page.fill("#addressLine1", "Calle Mayor 1");
  await page.fill("#city", "Madrid");
  await page.fill("#postcode", "28013");
  await page.selectOption("#country", "ES");
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Personal.saved);

  // Another device, another session of the same trader: the draft is there.
  const other = await browser.newContext({ viewport: { width: 390, height: 800 } });
  const otherPage = await other.newPage();
  await openAs(otherPage, 1004);
  await expect(otherPage.locator("#city")).toHaveValue("Madrid");
  await expect(otherPage.locator("#countryOfBirth")).toHaveValue("ES");
  await otherPage.fill("#phone", "+34 612 345 678");
  await otherPage.getByTestId("personal-continue").click();
  // Done: on to the next step, and the overview shows personal information done.
  await expect(otherPage.getByTestId("step-form")).toBeVisible();
  await expect(otherPage.getByTestId("progress")).toContainText("1");
  await otherPage.goto("/inapp/kyc?view=overview");
  await expect(otherPage.locator('[data-step="personal"]')).toHaveAttribute("data-done", "true");
  await other.close();
  expect(errors).toEqual([]);
});

test("a change made while an autosave is still on its way is saved after it, not refused as stale", async ({
  page,
  browser,
}) => {
  await openAs(page, 2441);
  // A slow network: the first autosave reaches the server at once, its answer takes 3 seconds.
  let held = 0;
  const autosaves: string[] = [];
  await page.route(
    (url) => url.pathname.startsWith("/inapp/kyc"),
    async (route) => {
      const request = route.request();
      if (request.method() !== "POST" || !request.headers()["next-action"]) return route.continue();
      autosaves.push(request.postData() ?? "");
      const response = await route.fetch();
      if (held++ === 0) await new Promise((resolve) => setTimeout(resolve, 3_000));
      await route.fulfill({ response });
    },
  );
  await page.fill("#givenNames", "Ingrid");
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Personal.saving);
  // Typed while that save is on its way, long enough for its own autosave to be due.
  await page.fill("#city", "Bergen");
  await page.waitForTimeout(1_200);
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Personal.saved, {
    timeout: 10_000,
  });
  // Two saves, the second sent after the first returned; the edit is on the server.
  expect(autosaves).toHaveLength(2);
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await openAs(otherPage, 2441);
  await expect(otherPage.locator("#givenNames")).toHaveValue("Ingrid");
  await expect(otherPage.locator("#city")).toHaveValue("Bergen");
  await other.close();
});

test("the postcode field follows the country: gone for Zimbabwe, back for Germany", async ({
  page,
}) => {
  await openAs(page, 2444);
  await expect(page.locator("#postcode")).toBeVisible();
  await page.selectOption("#country", "ZW");
  await expect(page.locator("#postcode")).toBeHidden();
  await page.selectOption("#country", "DE");
  await expect(page.locator("#postcode")).toBeVisible();
});
