import { expect, test } from "@playwright/test";
import de from "../../messages/de.json";
import en from "../../messages/en.json";
import { createStaff, openCase, signIn } from "../e2e/fixtures/console";
import { fillPassport, fillPersonal, launch, type Catalog } from "../e2e/fixtures/flow";
import {
  onfidoCheckOf,
  runHousekeeping,
  vendorPostsWebhook,
  vendorState,
  vendorWillAnswer,
} from "./embedded";
import { ONFIDO_FRAME_ORIGIN, routeVendorSdks } from "./sdk";

/**
 * Onfido instead of our identity upload (a level with `local: false`), in cTrader's mobile
 * webview (the screens top-level): once the forms are done the overview sends the trader to
 * Onfido's step, Onfido's web SDK mounts in our container, its completion starts Onfido's check,
 * Onfido posts its signed `check.completed`, and its "consider" reaches the reviewer as a warning.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;

test("Onfido's web SDK replaces our upload on the screen, its signed consider reaches the reviewer", async ({
  page,
  browser,
}) => {
  await createStaff(databaseUrl, "onfido.reviewer@broker.example", "reviewer");
  await routeVendorSdks(page.context());
  const popups: string[] = [];
  page.context().on("page", (opened) => popups.push(opened.url()));

  await launch(page, { userId: 2835, screen: "kyc", lang: "en", kycType: "basic_onfido" });
  await expect(page.getByTestId("personal-form")).toBeVisible();
  await fillPersonal(page);
  await page.getByTestId("personal-continue").click();
  await fillPassport(page, m, "ON0002835");

  // Every form done and nothing of ours to upload: the next step is Onfido's, on the identity
  // screen.
  const next = page.getByTestId("next-step").getByRole("link", { name: m.VendorStep.start });
  await expect(next).toBeVisible();
  await expect(page.locator('[data-step="vendor"]')).toBeVisible();
  await expect(page.locator('[data-document="identity"]')).toHaveCount(0);
  await next.click();
  const step = page.getByTestId("vendor-step");
  await expect(step).toHaveAttribute("data-vendor", "onfido");
  await step.getByRole("button", { name: m.VendorStep.start }).click();
  const sdkFrame = page.locator('#vendor-sdk iframe[title="Onfido"]');
  await expect(sdkFrame).toHaveAttribute("src", new RegExp(`^${ONFIDO_FRAME_ORIGIN}/frame/`));
  const onfido = page.frameLocator('#vendor-sdk iframe[title="Onfido"]');
  await expect(onfido.getByTestId("sdk-token")).toHaveText(/^sdk\.applicant-\d+$/);
  await expect(page.getByTestId("close-control")).toBeVisible();
  const applicantId = (await onfido.getByTestId("sdk-token").textContent())!.slice("sdk.".length);

  // Done in Onfido's frame: our server starts Onfido's check for the applicant.
  await onfido.getByTestId("sdk-finish").click();
  await expect(page.getByTestId("vendor-done")).toHaveText(m.VendorStep.done);
  const { calls } = (await vendorState(page.request)).onfido;
  expect(calls.at(-1)).toMatchObject({
    method: "POST",
    path: "/v3.6/checks",
    body: { applicant_id: applicantId },
  });
  expect(calls.find((c) => c.path === "/v3.6/applicants")?.body).toMatchObject({
    first_name: "Lea",
    last_name: "Brandt",
  });

  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);
  expect(popups).toEqual([]);

  // Onfido's check: the document clear, the photo comparison to be considered.
  await vendorWillAnswer(page.request, "onfido/check", {
    result: "consider",
    reports: [
      { name: "document", status: "complete", result: "clear" },
      {
        name: "facial_similarity_photo",
        status: "complete",
        result: "consider",
        sub_result: "consider",
      },
    ],
  });
  const checkId = await onfidoCheckOf(page.request, applicantId);
  expect(
    await vendorPostsWebhook(page.request, "onfido/webhook", { checkId, token: "forged" }),
  ).toMatchObject({ status: 401 });
  expect(await vendorPostsWebhook(page.request, "onfido/webhook", { checkId })).toEqual({
    status: 200,
    body: { ok: true, outcome: "recorded" },
  });

  const reviewer = await signIn(browser, "onfido.reviewer@broker.example");
  const verdict = reviewer.getByTestId("vendor-verdict");
  await expect
    .poll(
      async () => {
        await runHousekeeping(page.request);
        await openCase(reviewer, "trader2835@example.com");
        return verdict.getAttribute("data-vendor-outcome");
      },
      { timeout: 30_000 },
    )
    .toBe("review");
  await expect(reviewer.locator('[data-check="vendor"]')).toHaveAttribute("data-outcome", "warn");
  await expect(verdict.locator('[data-signal="documentAuthenticity"]')).toHaveAttribute(
    "data-value",
    "clear",
  );
  await expect(verdict.locator('[data-signal="documentAuthenticity"]')).toHaveText("Clear");
  await expect(verdict.locator('[data-signal="faceMatch"]')).toHaveAttribute(
    "data-value",
    "consider",
  );
  await expect(verdict.locator('[data-signal="faceMatch"]')).toHaveText("Consider");
  await expect(verdict).toContainText("facial_similarity_photo:consider");
});

test("a failed report of the finished capture is said in the trader's language and retried; nothing is lost", async ({
  page,
}) => {
  const t = de as unknown as Catalog;
  await routeVendorSdks(page.context());
  await launch(page, { userId: 2870, screen: "kyc", lang: "de", kycType: "basic_onfido" });
  await fillPersonal(page);
  await page.getByTestId("personal-continue").click();
  await fillPassport(page, t, "ON0002870");
  await page.getByTestId("next-step").getByRole("link", { name: t.VendorStep.start }).click();
  const step = page.getByTestId("vendor-step");
  await step.getByRole("button", { name: t.VendorStep.start }).click();
  const onfido = page.frameLocator('#vendor-sdk iframe[title="Onfido"]');
  await expect(onfido.getByTestId("sdk-token")).toHaveText(/^sdk\.applicant-\d+$/);
  const applicantId = (await onfido.getByTestId("sdk-token").textContent())!.slice("sdk.".length);

  // The trader's connection drops as the screen tells our server the capture is done.
  let dropped = 0;
  await page.route("**/api/inapp/vendor/done", (route) =>
    dropped++ === 0 ? route.abort("internetdisconnected") : route.fallback(),
  );
  await onfido.getByTestId("sdk-finish").click();
  await expect(step.getByRole("alert")).toHaveText(t.VendorStep.doneFailed);
  const checks = async () =>
    (await vendorState(page.request)).onfido.calls.filter(
      (c) =>
        c.path === "/v3.6/checks" &&
        (c.body as { applicant_id?: string }).applicant_id === applicantId,
    );
  expect(await checks()).toHaveLength(0);
  // Onfido's frame stays: what the trader captured is still there while they retry.
  await expect(onfido.getByTestId("sdk-token")).toBeVisible();

  await step.getByRole("button", { name: t.VendorStep.retry }).click();
  await expect(page.getByTestId("vendor-done")).toHaveText(t.VendorStep.done);
  await expect(step).toHaveAttribute("data-vendor-status", /captured|completed/);
  expect(dropped).toBe(2);
  expect(await checks()).toHaveLength(1);
});
