import { expect, test, type Page } from "@playwright/test";
import { SCREEN_ORIGIN } from "../../playwright.config";
import de from "../../messages/de.json";
import ar from "../../messages/ar.json";

/** Every console error and uncaught exception, from the page and its frames. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`${msg.location().url}: ${msg.text()}`);
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

async function launch(page: Page, options: Record<string, string>) {
  await page.goto("/dev/ctrader");
  for (const [testId, value] of Object.entries(options))
    await page.getByTestId(testId).selectOption(value);
  await page.getByTestId("sim-launch").click();
}

test("top-level: lands without the token, keeps language and theme, survives reload, refuses a replay", async ({
  page,
}) => {
  const errors = watchErrors(page);
  const tokenUrls: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("token=")) tokenUrls.push(request.url());
  });

  await launch(page, {
    "sim-lang": "de",
    "sim-theme": "dark",
    "sim-source": "iOS",
    "sim-mode": "top",
  });
  await page.waitForURL((url) => url.pathname === "/inapp/kyc");
  expect(page.url()).not.toContain("token");
  const html = page.locator("html");
  await expect(html).toHaveAttribute("lang", "de");
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(html).toHaveAttribute("data-source", "ios");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(de.Personal.title);
  await expect(page.locator("#email")).toHaveValue("anna.schmidt@example.com");
  await expect(page.getByTestId("close-control")).toBeVisible();

  await page.reload();
  await expect(page.getByTestId("personal-form")).toBeVisible();
  await expect(html).toHaveAttribute("lang", "de");

  await page.goto("/inapp/kyc/status");
  await expect(page.getByTestId("case-status")).toBeVisible();

  expect(tokenUrls).toHaveLength(1);
  await page.goto(tokenUrls[0]!);
  await expect(page.getByTestId("expired-screen")).toBeVisible();
  await expect(page.getByTestId("expired-screen")).toHaveAttribute("data-reason", "expired");
  await expect(html).toHaveAttribute("lang", "de");
  expect(page.url()).not.toContain("token");
  expect(errors).toEqual([]);
});

test("cross-site iframe (cTrader Web): session cookie works in the frame, reload keeps it, replay is refused, close posts a message", async ({
  page,
}) => {
  const errors = watchErrors(page);
  await launch(page, {
    "sim-lang": "ar",
    "sim-theme": "light",
    "sim-source": "Web",
    "sim-mode": "frame",
  });
  const frameElement = page.getByTestId("sim-frame");
  await expect(frameElement).toBeVisible();
  const launched = await frameElement.getAttribute("src");
  expect(launched).toContain(`${SCREEN_ORIGIN}/inapp/kyc?token=`);

  const frame = page.frameLocator('[data-testid="sim-frame"]');
  await expect(frame.getByTestId("personal-form")).toBeVisible();
  await expect(frame.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(frame.locator("html")).toHaveAttribute("lang", "ar");
  await expect(frame.getByRole("heading", { level: 1 })).toHaveText(ar.Personal.title);
  const screenFrame = page.frames().find((f) => f.url().startsWith(SCREEN_ORIGIN));
  // The landing URL's resume code is for a browser that drops the cookie (test below).
  expect(screenFrame?.url()).toMatch(
    new RegExp(`^${SCREEN_ORIGIN}/inapp/kyc\\?resume=[\\w-]{43}&lang=ar&theme=light&source=Web$`),
  );

  await screenFrame!.evaluate(() => window.location.reload());
  await expect(frame.getByTestId("personal-form")).toBeVisible();

  await screenFrame!.goto(launched!);
  await expect(frame.getByTestId("expired-screen")).toBeVisible();

  await screenFrame!.goto(`${SCREEN_ORIGIN}/inapp/kyc`);
  await expect(frame.getByTestId("personal-form")).toBeVisible();
  await frame.getByTestId("close-control").click();
  await expect(page.getByTestId("sim-note")).toContainText("asked to close");
  expect(errors).toEqual([]);
});

test("cross-site iframe, cookie dropped (Safari without CHIPS): the frame offers a new window, which opens the same case", async ({
  page,
}) => {
  const errors = watchErrors(page);
  // The browser drops the session cookie the launch's 303 sets, as Safari does in the frame.
  await page.route(
    (url) => url.searchParams.has("token"),
    async (route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      const headers = { ...response.headers() };
      delete headers["set-cookie"];
      await route.fulfill({ response, headers });
    },
  );
  await launch(page, {
    "sim-lang": "de",
    "sim-theme": "dark",
    "sim-source": "Web",
    "sim-mode": "frame",
  });
  const frame = page.frameLocator('[data-testid="sim-frame"]');
  await expect(frame.getByTestId("resume-offer")).toBeVisible();
  await expect(frame.getByRole("heading", { level: 1 })).toHaveText(de.Resume.title);
  await expect(frame.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(frame.getByTestId("resume-account")).toContainText("•••");

  const [opened] = await Promise.all([
    page.context().waitForEvent("page"),
    frame.getByTestId("resume-continue").click(),
  ]);
  await opened.waitForURL((url) => url.pathname === "/inapp/kyc");
  expect(new URL(opened.url()).search).toBe("");
  await expect(opened.getByTestId("personal-form")).toBeVisible();
  await expect(opened.locator("html")).toHaveAttribute("lang", "de");
  await expect(opened.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(opened.locator("#email")).toHaveValue("anna.schmidt@example.com");

  // The code was spent: the frame, reloaded, has nothing to offer any more.
  const screenFrame = page.frames().find((f) => f.url().includes("/inapp/kyc?resume="));
  await screenFrame!.evaluate(() => window.location.reload());
  await expect(frame.getByTestId("expired-screen")).toBeVisible();
  expect(errors).toEqual([]);
});

test("a launch URL another site sent the browser to asks whether the account is the trader's before it opens", async ({
  page,
}) => {
  const errors = watchErrors(page);
  const launched = await page.request.post("/api/dev/simulator/launch", {
    data: { userId: 2330, screen: "kyc", lang: "de", theme: "light", source: "Web" },
  });
  const { path } = (await launched.json()) as { path: string };
  // A page of another site (the host page's loopback name) links to the launch URL.
  await page.goto("/dev/ctrader");
  await page.evaluate((href) => {
    const link = Object.assign(document.createElement("a"), { href, id: "lure" });
    link.textContent = "Verify your account";
    document.body.append(link);
  }, `${SCREEN_ORIGIN}${path}`);
  await page.click("#lure");
  await expect(page.getByTestId("launch-check")).toBeVisible();
  expect(new URL(page.url()).origin).toBe(SCREEN_ORIGIN);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(de.LaunchCheck.title);
  await expect(page.getByTestId("resume-account")).toContainText("•••330");
  await expect(page.getByTestId("launch-check")).toContainText(de.Handoff.warning);
  // Not signed in yet: another screen of ours opened now knows no session.
  const other = await page.context().newPage();
  await other.goto(`${SCREEN_ORIGIN}/inapp/kyc/status`);
  await expect(other.getByTestId("expired-screen")).toBeVisible();
  await other.close();

  await page.getByTestId("resume-continue").click();
  await page.waitForURL((url) => url.pathname === "/inapp/kyc" && url.search === "");
  await expect(page.getByTestId("personal-form")).toBeVisible();
  await expect(page.locator("#email")).toHaveValue("trader2330@example.com");
  expect(errors).toEqual([]);
});

test("a screen opened with neither token nor session shows the expired screen with a close control, never an error", async ({
  page,
}) => {
  const errors = watchErrors(page);
  for (const path of [
    "/inapp/kyc?lang=fr",
    "/inapp/kyc/status?lang=fr",
    "/inapp/kyc/upload?documentType=identity&lang=fr",
  ]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page.getByTestId("expired-screen")).toBeVisible();
    await expect(page.getByTestId("close-control")).toBeVisible();
    expect(response?.headers()["cache-control"]).toContain("no-store");
  }
  expect(errors).toEqual([]);
});

test("an address that leads nowhere answers 404 with a page in the trader's language and a way to close, not Next's English default", async ({
  page,
}) => {
  const errors = watchErrors(page);
  const response = await page.goto("/inapp/kyc/nowhere?lang=de");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(de.Expired.notFoundTitle);
  await expect(page.getByTestId("not-found-close")).toHaveText(de.Expired.closeAction);
  await expect(page.getByTestId("not-found-close")).toHaveAttribute("href", /\/inapp\/close/);
  expect(await page.locator("html").getAttribute("lang")).toBe("de");
  await expect(page.getByText("This page could not be found")).toHaveCount(0);
  // The browser reports the 404 document itself; nothing else may fail.
  expect(errors.filter((e) => !e.includes("status of 404"))).toEqual([]);
});

/** cTrader opens a screen for this demo user in this page: its launch sets the browser's cookie. */
async function openScreen(page: Page, userId: number) {
  const launched = await page.request.post("/api/dev/simulator/launch", {
    data: { userId, screen: "kyc", lang: "en", theme: "light", source: "Desktop" },
  });
  await page.goto(((await launched.json()) as { path: string }).path);
  await expect(page.getByTestId("close-control")).toBeVisible();
}

test("the close control ends the sign-in its window shows, never a newer one in the same browser", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const status = async () => (await context.request.get("/api/inapp/status")).status();
  const earlier = await context.newPage();
  await openScreen(earlier, 2451);
  // Another cTrader account opens the verification in the same browser.
  const later = await context.newPage();
  await openScreen(later, 2452);

  // Playwright can miss a beacon's response when its page navigates at the same moment
  // (microsoft/playwright#23635 and kin), so this window's link is held: the beacon, which is
  // what decides, still goes, and its answer can be read.
  await earlier.evaluate(() => window.addEventListener("click", (e) => e.preventDefault()));
  const refused = earlier.waitForResponse((r) => r.url().endsWith("/api/inapp/close"));
  await earlier.getByTestId("close-control").click();
  expect((await refused).status()).toBe(409);
  expect(await status()).toBe(200);

  // The newer window closes as a trader closes it, navigation and all: its sign-in ends.
  await later.getByTestId("close-control").click();
  await expect.poll(status).toBe(401);
  await context.close();
});
