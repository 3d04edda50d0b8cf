import { expect, test, type Page } from "@playwright/test";
import en from "../../messages/en.json";
import { SELFIE_BURST_FRAMES } from "../../lib/documents/upload-contract";
import { PHONE_WITH_CAMERA } from "./fixtures/camera";
import { createStaff, openCase, serious, signIn } from "./fixtures/console";
import { completeStandardLevel, type Catalog } from "./fixtures/flow";

/**
 * The selfie screen (a level that asks for one: tests/fixtures/levels/with-selfie.json): the
 * front camera in an oval, the prompts of the server's attempt one after another, a burst of
 * frames per prompt through the upload API; and without a camera, "continue on your phone" —
 * never a file picker.
 */
async function open(page: Page, userId: number, source: string) {
  const launched = await page.request.post("/api/dev/simulator/launch", {
    data: {
      userId,
      screen: "upload",
      lang: "en",
      source,
      kycType: "standard_selfie",
      documentType: "selfie",
    },
  });
  await page.goto(((await launched.json()) as { path: string }).path);
  await expect(page.getByTestId("selfie-step")).toBeVisible();
  await expect(page.locator("input[type=file]")).toHaveCount(0);
}

// Chromium's fake camera, permission granted; the no-camera test takes the camera away.
test.use(PHONE_WITH_CAMERA);

test("the prompts of the server's attempt, one live burst each, uploaded as the attempt's frames", async ({
  page,
}) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const starts: Record<string, unknown>[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/inapp/documents")
      starts.push(r.postDataJSON() as Record<string, unknown>);
  });
  const attempt = page.waitForResponse((r) => r.url().endsWith("/api/inapp/selfie/challenge"));
  await open(page, 2331, "iOS");
  await page.getByTestId("selfie-start").click();
  const { challengeId, prompts } = (await (await attempt).json()) as {
    challengeId: string;
    prompts: string[];
  };
  await expect(page.getByTestId("selfie-oval")).toBeVisible();
  for (const prompt of prompts)
    await expect(page.getByTestId("selfie-prompt")).toHaveAttribute("data-prompt", prompt, {
      timeout: 15_000,
    });
  await expect(page.getByTestId("selfie-done")).toBeVisible({ timeout: 30_000 });
  expect(starts).toEqual(
    ["frame_1", "frame_2", "frame_3"].map((side) =>
      expect.objectContaining({ documentType: "selfie", side, challengeId }),
    ),
  );

  // The overview lists the selfie as done.
  await page.goto("/inapp/kyc?view=overview");
  await expect(page.locator('[data-document="selfie"]')).toHaveAttribute("data-state", "accepted");
  expect(errors).toEqual([]);
});

test("in a webview without a camera, the selfie goes to the phone: the phone takes it, the desktop sees it done and the case carries it", async ({
  browser,
}) => {
  const databaseUrl = process.env.E2E_DATABASE_URL || "";
  test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");
  test.setTimeout(180_000);
  const m = en as unknown as Catalog;
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // An embedded browser that offers no getUserMedia at all.
  await desktop.addInitScript(() =>
    Object.defineProperty(navigator, "mediaDevices", { value: undefined }),
  );
  const desk = await desktop.newPage();
  await open(desk, 2241, "Desktop");
  await desk.getByTestId("selfie-start").click();
  await expect(desk.getByTestId("selfie-no-camera")).toBeVisible({ timeout: 15_000 });
  await expect(desk.locator("input[type=file]")).toHaveCount(0);
  await desk.getByTestId("start-handoff").click();
  await expect(desk.getByTestId("handoff-url")).toContainText("/inapp/handoff?handoff=");
  await expect(desk.locator("img.qr")).toBeVisible();
  const url = (await desk.getByTestId("handoff-url").textContent())!.trim();

  // The phone: its own browser, with a camera (the fake one), opens the link and takes the selfie.
  const phoneContext = await browser.newContext({
    viewport: PHONE_WITH_CAMERA.viewport,
    isMobile: true,
    hasTouch: true,
    permissions: PHONE_WITH_CAMERA.permissions,
  });
  const phone = await phoneContext.newPage();
  await phone.goto(url);
  await phone.getByTestId("handoff-continue").click();
  await expect(phone).toHaveURL(/\/inapp\/kyc\/upload\?documentType=selfie$/);
  await expect(phone.getByTestId("selfie-step")).toBeVisible();
  // On the phone the selfie is taken here: no second hand-off, no file picker.
  await expect(phone.getByTestId("phone-handoff")).toHaveCount(0);
  await expect(phone.locator("input[type=file]")).toHaveCount(0);
  const attempt = phone.waitForResponse((r) => r.url().endsWith("/api/inapp/selfie/challenge"));
  await phone.getByTestId("selfie-start").click();
  expect((await attempt).status()).toBe(201);
  await expect(phone.getByTestId("selfie-done")).toBeVisible({ timeout: 45_000 });

  // The desktop screen follows without a reload.
  await expect(desk.getByTestId("selfie-done")).toBeVisible({ timeout: 15_000 });
  await expect(desk.getByTestId("phone-handoff")).toHaveCount(0);
  await phoneContext.close();

  // The trader finishes on the desktop; the reviewer finds the selfie taken on the phone in the case.
  await desk.goto("/inapp/kyc");
  await completeStandardLevel(desk, m, 2241);
  await createStaff(databaseUrl, "selfie.handoff@broker.example", "reviewer");
  const reviewer = await signIn(browser, "selfie.handoff@broker.example");
  await openCase(reviewer, "trader2241@example.com");
  await expect(reviewer.getByTestId("selfie-frames").locator("li")).toHaveCount(3);
  await expect(reviewer.getByTestId("selfie-identity").locator("li")).toHaveCount(1);
  await desktop.close();
});

test("a reviewer asks for the selfie again with a reason; the trader takes a new attempt and the case returns to review", async ({
  page,
  browser,
}) => {
  const databaseUrl = process.env.E2E_DATABASE_URL || "";
  test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");
  test.setTimeout(180_000);
  const m = en as unknown as Catalog;
  const trader = "trader2811@example.com";
  await createStaff(databaseUrl, "selfie.reviewer@broker.example", "reviewer");

  // The selfie first, then the standard steps, then the submit.
  await open(page, 2811, "iOS");
  await page.getByTestId("selfie-start").click();
  await expect(page.getByTestId("selfie-done")).toBeVisible({ timeout: 45_000 });
  await page.goto("/inapp/kyc");
  await completeStandardLevel(page, m, 2811);

  // The console offers the selfie beside the other documents, with a reason for the trader.
  const reviewer = await signIn(browser, "selfie.reviewer@broker.example");
  await openCase(reviewer, trader);
  await reviewer.locator('input[name=items][value="document:selfie"]').check();
  const reason = "Your face is outside the oval in every frame.";
  await reviewer.getByTestId("item-reason-selfie").fill(reason);
  await reviewer.fill("#message", "Please take the selfie again.");
  expect(await serious(reviewer)).toEqual([]);
  await reviewer.getByTestId("request").click();
  await expect(reviewer.getByTestId("case-status")).toHaveAttribute(
    "data-status",
    "action_required",
  );

  // The trader reads the reason on the selfie screen and takes a new attempt.
  await page.goto("/inapp/kyc/upload?documentType=selfie");
  await expect(page.getByTestId("document-type")).toContainText(reason);
  await expect(page.getByTestId("selfie-done")).toHaveCount(0);
  const attempt = page.waitForResponse((r) => r.url().endsWith("/api/inapp/selfie/challenge"));
  await page.getByTestId("selfie-start").click();
  expect((await attempt).status()).toBe(201);
  await expect(page.getByTestId("selfie-done")).toBeVisible({ timeout: 45_000 });
  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);

  // Back in review once the checks of the new round ran.
  await expect
    .poll(
      async () => {
        await openCase(reviewer, trader);
        return reviewer.getByTestId("case-status").getAttribute("data-status");
      },
      { timeout: 30_000 },
    )
    .toBe("in_review");
  await expect(reviewer.getByTestId("selfie-frames").locator("li")).toHaveCount(3);
  // Each prompt is a burst: the fake camera's 320×240 frames, four side by side.
  await expect(
    reviewer.locator(`[data-selfie-frame][data-burst-frames="${SELFIE_BURST_FRAMES}"]`),
  ).toHaveCount(3);
  const picture = reviewer.getByTestId("selfie-frames").locator("li img").first();
  await expect
    .poll(() => picture.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]))
    .toEqual([320 * SELFIE_BURST_FRAMES, 240]);
});
