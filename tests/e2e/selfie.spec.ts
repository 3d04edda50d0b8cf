import { expect, test, type Page } from "@playwright/test";
import { PHONE_WITH_CAMERA } from "./fixtures/camera";

/**
 * The selfie screen (a level that asks for one: tests/fixtures/levels/with-selfie.json): the
 * front camera in an oval, the prompts of the server's attempt one after another, a frame per
 * prompt through the upload API; and without a camera, "continue on your phone" — never a
 * file picker.
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

test("the prompts of the server's attempt, one live frame each, uploaded as the attempt's frames", async ({
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

test("in a webview without a camera, the selfie offers the phone, not a file picker", async ({
  browser,
}) => {
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // An embedded browser that offers no getUserMedia at all.
  await desktop.addInitScript(() =>
    Object.defineProperty(navigator, "mediaDevices", { value: undefined }),
  );
  const page = await desktop.newPage();
  await open(page, 2332, "Desktop");
  await page.getByTestId("selfie-start").click();
  await expect(page.getByTestId("selfie-no-camera")).toBeVisible({ timeout: 15_000 });
  await expect(page.locator("input[type=file]")).toHaveCount(0);
  await page.getByTestId("start-handoff").click();
  await expect(page.getByTestId("handoff-url")).toContainText("/inapp/handoff?handoff=");
  await expect(page.locator("img.qr")).toBeVisible();
  await desktop.close();
});
