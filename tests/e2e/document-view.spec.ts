import { expect, test } from "@playwright/test";
import en from "../../messages/en.json";
import { createStaff, openCase, signIn } from "./fixtures/console";
import { completeStandardLevel, launch, type Catalog } from "./fixtures/flow";

/**
 * The console's document viewer on a stored file, which is sealed under the case key: the image
 * the browser loads is the decrypted JPEG the app sends (no-store, inline), and zoom and rotation
 * work on it. Needs PostgreSQL (E2E_DATABASE_URL) to create the reviewer.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;

test("a reviewer sees the decrypted document image and can zoom and rotate it", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await createStaff(databaseUrl, "viewer.reviewer@broker.example", "reviewer");
  await launch(page, { userId: 2711, screen: "kyc", lang: "en" });
  await completeStandardLevel(page, m, 2711);

  const reviewer = await signIn(browser, "viewer.reviewer@broker.example");
  const served: { status: number; type?: string; cache?: string }[] = [];
  reviewer.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/admin/documents/"))
      served.push({
        status: response.status(),
        type: response.headers()["content-type"],
        cache: response.headers()["cache-control"],
      });
  });
  await openCase(reviewer, "trader2711@example.com");
  const viewer = reviewer.getByTestId("document-viewer").first();
  const image = viewer.getByTestId("viewer-image");
  await expect
    .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  expect(served.length).toBeGreaterThan(0);
  for (const response of served)
    expect(response).toEqual({
      status: 200,
      type: "image/jpeg",
      cache: expect.stringContaining("no-store"),
    });

  await viewer.getByTestId("viewer-zoom-in").click();
  await viewer.getByTestId("viewer-rotate").click();
  const stage = viewer.getByTestId("viewer-stage");
  await expect(stage).toHaveAttribute("data-rotation", "90");
  await expect(stage).not.toHaveAttribute("data-zoom", "1");
  expect(await image.evaluate((img: HTMLImageElement) => img.style.transform)).toContain(
    "rotate(90deg)",
  );
});
