import { expect, test, type Page, type Request } from "@playwright/test";
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

/** A form's save: its autosave (the route) or its server action ("Save and continue"). */
function isSave(request: Request): boolean {
  const { pathname } = new URL(request.url());
  return (
    request.method() === "POST" &&
    (pathname === "/api/inapp/autosave" ||
      (pathname.startsWith("/inapp/kyc") && request.headers()["next-action"] !== undefined))
  );
}

/** A slow network: saves reach the server at once; the first one's answer is held (3 s). */
async function holdFirstAnswer(page: Page, holdMs = 3_000): Promise<string[]> {
  let held = 0;
  const posts: string[] = [];
  await page.route("**/*", async (route) => {
    const request = route.request();
    if (!isSave(request)) return route.fallback();
    posts.push(request.postData() ?? "");
    const response = await route.fetch();
    if (held++ === 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
    // A save the page has given up on meanwhile has no one left to answer.
    await route.fulfill({ response }).catch(() => undefined);
  });
  return posts;
}

/** A stalled network: the first save never reaches the server, nor answers; later ones go. */
async function stallFirstSave(page: Page): Promise<string[]> {
  const stalled: string[] = [];
  await page.route("**/*", async (route) => {
    const request = route.request();
    if (!isSave(request)) return route.fallback();
    if (stalled.length > 0) return route.continue();
    stalled.push(new URL(request.url()).pathname);
  });
  return stalled;
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
  // Every button in the page's font, not the browser's own one for <button>.
  const fonts = await page.evaluate(() => ({
    page: getComputedStyle(document.body).fontFamily,
    buttons: [...document.querySelectorAll("button")].map((b) => getComputedStyle(b).fontFamily),
  }));
  expect(fonts.buttons.length).toBeGreaterThan(0);
  expect(new Set(fonts.buttons)).toEqual(new Set([fonts.page]));

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
  const autosaves = await holdFirstAnswer(page);
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

async function fillPersonal(page: Page) {
  await page.fill("#givenNames", "Astrid");
  await page.fill("#surnames", "Lund");
  await page.fill("#dateOfBirth", "1988-04-12");
  await page.fill("#placeOfBirth", "Tromsø");
  await page.selectOption("#countryOfBirth", "NO");
  await page.selectOption("#nationalities", "NO");
  await page.fill("#addressLine1", "Storgata 3");
  await page.fill("#city", "Tromsø");
  await page.fill("#postcode", "9008");
  await page.selectOption("#country", "NO");
  await page.fill("#phone", "+47 412 34 567");
}

test("Save and continue while an autosave is on its way waits for it and goes on, not refused as stale", async ({
  page,
}) => {
  await openAs(page, 2442);
  const posts = await holdFirstAnswer(page);
  await fillPersonal(page);
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Personal.saving);
  // Tapped twice while the autosave's answer is held: one submit, once that save is back.
  await page.getByTestId("personal-continue").dblclick();
  await expect(page.getByTestId("step-form")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByText(de.Errors.staleDraft)).toHaveCount(0);
  // The autosave, then the one submit: nothing saved the form a second time.
  expect(posts).toHaveLength(2);
});

test("Save and continue goes on while an autosave is stalled: it does not wait for its answer", async ({
  page,
}) => {
  await openAs(page, 2445);
  const stalled = await stallFirstSave(page);
  await fillPersonal(page);
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Personal.saving);
  await page.getByTestId("personal-continue").click();
  // A few seconds of waiting for the stalled save at most, then the submit carries the form.
  await expect(page.getByTestId("step-form")).toBeVisible({ timeout: 10_000 });
  expect(stalled).toHaveLength(1);
  await page.goto("/inapp/kyc?view=overview");
  await expect(page.locator('[data-step="personal"]')).toHaveAttribute("data-done", "true");
});

test("Save and continue goes on when the autosave it stopped waiting for did reach the server", async ({
  page,
}) => {
  await openAs(page, 2461);
  // The autosave is saved at once; its answer is held past the submit's wait (5 s).
  const posts = await holdFirstAnswer(page, 8_000);
  await fillPersonal(page);
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Personal.saving);
  await page.getByTestId("personal-continue").click();
  // The draft's version is the abandoned save's, not the form's: that is the trader's own.
  await expect(page.getByTestId("step-form")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByText(de.Errors.staleDraft)).toHaveCount(0);
  expect(posts).toHaveLength(2);
  await page.goto("/inapp/kyc?view=overview");
  await expect(page.locator('[data-step="personal"]')).toHaveAttribute("data-done", "true");
});

test("an autosave refused for the session says so in the session's words, not as a connection problem", async ({
  page,
}) => {
  await openAs(page, 2462);
  // The trader signs in again from the trading app in this browser: this page is the earlier one.
  const launched = await page.request.post("/api/dev/simulator/launch", {
    data: { userId: 2462, screen: "kyc", lang: "de", theme: "light", source: "Android" },
  });
  const { path } = (await launched.json()) as { path: string };
  const again = await page.context().newPage();
  await again.goto(path);
  await expect(again.getByTestId("personal-form")).toBeVisible();
  await page.fill("#givenNames", "Ingrid");
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Errors.otherSignIn);
  // The browser has no session any more: the newer page's autosave says it has expired.
  await page.context().clearCookies();
  await again.fill("#givenNames", "Ingrid");
  await expect(again.getByTestId("autosave-status")).toHaveText(de.Errors.sessionExpired);
});

test("an autosave in a browser a phone-handoff session took over says that session only uploads", async ({
  page,
}) => {
  await openAs(page, 2463);
  // The phone link made for this session is opened in this same browser: its session, which may
  // only upload that document, takes the cookie.
  const windowRef = await page.locator('input[name="window"]').first().inputValue();
  const made = await page.request.post("/api/inapp/handoff", {
    data: { documentType: "identity" },
    headers: { origin: new URL(page.url()).origin, "x-kyc-window": windowRef },
  });
  expect(made.status()).toBe(201);
  const { url } = (await made.json()) as { url: string };
  const phone = await page.context().newPage();
  await phone.goto(url);
  await phone.getByTestId("handoff-continue").click();
  await expect(phone.getByTestId("upload-screen")).toBeVisible();

  await page.fill("#givenNames", "Ingrid");
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Errors.uploadOnly);
});

test("Save and continue waiting for an autosave that another window made stale is refused too", async ({
  page,
}) => {
  await openAs(page, 2443);
  // Another window of the same sign-in saves the step first.
  const other = await page.context().newPage();
  await other.goto(page.url());
  await other.fill("#givenNames", "Sigrid");
  await expect(other.getByTestId("autosave-status")).toHaveText(de.Personal.saved);
  await other.close();

  await holdFirstAnswer(page);
  await fillPersonal(page);
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Personal.saving);
  await page.getByTestId("personal-continue").click();
  await expect(page.getByTestId("personal-form").getByRole("alert")).toHaveText(
    de.Errors.staleDraft,
    { timeout: 10_000 },
  );
  await expect(page.getByTestId("step-form")).toHaveCount(0);
  await expect(page.locator("#givenNames")).toHaveValue("Astrid");
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

/** Whether the focused element lies within the viewport (the trader sees where to look). */
function focusedInView(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const box = document.activeElement?.getBoundingClientRect();
    return !!box && box.top >= 0 && box.bottom <= window.innerHeight;
  });
}

test("Save and continue with mistakes moves focus to the first field in error, scrolled into view", async ({
  page,
}) => {
  await openAs(page, 2586);
  await fillPersonal(page);
  await page.fill("#givenNames", "");
  await page.fill("#email", "lea@");
  // Tapped at the bottom of a long form on a phone: the first mistake is a screen away.
  await page.getByTestId("personal-continue").tap();
  await expect(page.getByTestId("error-givenNames")).toHaveText(de.Errors.required);
  await expect(page.locator("#givenNames")).toBeFocused();
  expect(await focusedInView(page)).toBe(true);

  // The generic step form does the same: nothing chosen, focus on the first choice.
  await page.fill("#givenNames", "Astrid");
  await page.fill("#email", "astrid.lund@example.com");
  await page.getByTestId("personal-continue").tap();
  await expect(page.getByTestId("step-form")).toBeVisible();
  await page.getByTestId("step-continue").tap();
  await expect(page.getByTestId("error-summary")).toBeVisible();
  await expect(page.locator('input[name="documentKind"]').first()).toBeFocused();
  expect(await focusedInView(page)).toBe(true);
});

test("the back button after Save and continue shows the screen as saved, never the form emptied", async ({
  page,
}) => {
  await openAs(page, 2587);
  await fillPersonal(page);
  await page.getByTestId("personal-continue").tap();
  await expect(page.getByTestId("step-form")).toBeVisible();
  // Android's back key in cTrader's webview: a step back to the screen's first render, whose
  // personal form was empty. Loaded again, the screen is the step the trader is at.
  await page.goBack();
  await expect(page.getByTestId("step-form")).toBeVisible();
  await expect(page.getByTestId("personal-form")).toHaveCount(0);
  await page.getByRole("link", { name: de.Kyc.overviewLink }).tap();
  await page.locator('[data-step="personal"] a').tap();
  await expect(page.locator("#city")).toHaveValue("Tromsø");
  await page.fill("#city", "Bodø");
  await expect(page.getByTestId("autosave-status")).toHaveText(de.Personal.saved);
});

test("a German number that cannot exist is refused on the screen, in German, at the phone field", async ({
  page,
}) => {
  await openAs(page, 2471);
  await fillPersonal(page);
  await page.fill("#addressLine1", "Hauptstraße 5");
  await page.fill("#city", "Berlin");
  await page.fill("#postcode", "10115");
  await page.selectOption("#country", "DE");
  await page.fill("#phone", "12345");
  await page.getByTestId("personal-continue").tap();
  await expect(page.getByTestId("error-phone")).toHaveText(de.Errors.invalidPhone);
  await expect(page.locator("#phone")).toBeFocused();
  await expect(page.locator("#phone")).toHaveValue("12345");
  expect(await focusedInView(page)).toBe(true);
  await expect(page.getByTestId("step-form")).toHaveCount(0);

  // Written as Germans do, without the country code: read for the address's country.
  await page.fill("#phone", "0151 23456789");
  await page.getByTestId("personal-continue").tap();
  await expect(page.getByTestId("step-form")).toBeVisible();
});
