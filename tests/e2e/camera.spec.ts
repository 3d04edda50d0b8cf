import { expect, test } from "@playwright/test";
import { PHONE_WITH_CAMERA } from "./fixtures/camera";

/** With a camera (Chromium's fake device, permission granted): live capture to preview. */
test.use(PHONE_WITH_CAMERA);

test("the live camera shows a document frame and captures a photo to review", async ({ page }) => {
  const launched = await page.request.post("/api/dev/simulator/launch", {
    data: { userId: 2311, screen: "upload", lang: "en", source: "iOS", documentType: "identity" },
  });
  await page.goto(((await launched.json()) as { path: string }).path);
  await page.getByTestId("use-camera").click();
  await expect(page.getByTestId("camera")).toBeVisible();
  await expect(page.locator(".camera-frame")).toBeVisible();
  await expect(page.getByTestId("capture")).toBeEnabled({ timeout: 15_000 });
  await page.getByTestId("capture").click();
  await expect(page.getByTestId("preview")).toBeVisible();
  await expect(page.getByTestId("upload")).toBeVisible();
});
