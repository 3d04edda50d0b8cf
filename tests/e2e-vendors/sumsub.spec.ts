import { expect, test } from "@playwright/test";
import en from "../../messages/en.json";
import { SCREEN_ORIGIN } from "../../playwright.config";
import { createStaff, openCase, signIn } from "../e2e/fixtures/console";
import { fillPersonal, fillProofOfAddress, uploadPhoto, type Catalog } from "../e2e/fixtures/flow";
import {
  launchInCtraderWeb,
  runHousekeeping,
  vendorPostsWebhook,
  vendorState,
  vendorWillAnswer,
} from "./embedded";
import { routeVendorSdks, SUMSUB_FRAME_ORIGIN } from "./sdk";

/**
 * Sumsub beside our own checks (the standard level), in a real browser against the production
 * build: the trader in cTrader Web's frame runs Sumsub's web SDK on our identity screen (mounted
 * in our container, no pop-up, our close control still there), submits, Sumsub posts its signed
 * review, and the reviewer sees Sumsub's verdict and opens its report.
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;

test("Sumsub's web SDK runs inside the framed screen, its signed review reaches the reviewer", async ({
  page,
  browser,
}) => {
  await createStaff(databaseUrl, "sumsub.reviewer@broker.example", "reviewer");
  const context = page.context();
  await routeVendorSdks(context);
  const popups: string[] = [];
  context.on("page", (opened) => popups.push(opened.url()));

  const screen = await launchInCtraderWeb(page, { userId: 2831, lang: "en", kycType: "standard" });
  await expect(screen.getByTestId("personal-form")).toBeVisible();
  await fillPersonal(screen);
  await screen.getByTestId("personal-continue").click();
  await expect(screen.getByTestId("step-form")).toBeVisible();
  await screen.getByLabel(m.Forms.identity_document.documentKindOptions.passport).check();
  await screen.fill("#documentNumber", "C01X02831");
  await screen.selectOption("#issuingCountry", "DE");
  await screen.fill("#expiryDate", "2032-01-31");
  await screen.getByTestId("step-continue").click();
  await screen.getByTestId("documents-identity_document").getByRole("link").click();
  await uploadPhoto(screen, 2831);
  await expect(screen.getByTestId("upload-done")).toBeVisible();

  // The identity screen offers Sumsub's check; its SDK mounts in our container, in Sumsub's
  // frame, with the token our server obtained for this case.
  const step = screen.getByTestId("vendor-step");
  await expect(step).toHaveAttribute("data-vendor", "sumsub");
  await expect(step).toHaveAttribute("data-vendor-status", "not_started");
  await step.getByRole("button", { name: m.VendorStep.start }).click();
  const sdkFrame = screen.locator('#vendor-sdk iframe[title="Sumsub"]');
  await expect(sdkFrame).toHaveAttribute("src", new RegExp(`^${SUMSUB_FRAME_ORIGIN}/websdk/`));
  const sumsub = screen.frameLocator('#vendor-sdk iframe[title="Sumsub"]');
  await expect(sumsub.getByTestId("sdk-token")).toHaveText(/^_act-sbx-[0-9a-f-]{36}$/);
  await expect(screen.getByTestId("close-control")).toBeVisible();
  const { sumsub: afterStart } = await vendorState(page.request);
  expect(afterStart.applicants).toHaveLength(1);
  const applicant = afterStart.applicants[0]!;
  expect(applicant.levelName).toBe("basic-kyc-level");
  await expect(sumsub.getByTestId("sdk-token")).toHaveText(`_act-sbx-${applicant.externalUserId}`);

  // The trader finishes inside Sumsub's frame: the screen tells our server and shows it done.
  await sumsub.getByTestId("sdk-finish").click();
  await expect(screen.getByTestId("vendor-done")).toHaveText(m.VendorStep.done);
  await expect(step).toHaveAttribute("data-vendor-status", /captured|completed/);
  await expect(screen.getByTestId("close-control")).toBeVisible();

  await screen.goto(`${SCREEN_ORIGIN}/inapp/kyc`);
  await fillProofOfAddress(screen, m);
  await screen.getByTestId("documents-proof_of_address").getByRole("link").click();
  await uploadPhoto(screen, 2832);
  await expect(screen.getByTestId("upload-done")).toBeVisible();
  await screen.goto(`${SCREEN_ORIGIN}/inapp/kyc`);
  await screen.getByLabel(m.Kyc.declaration).check();
  await screen.getByTestId("submit-case").click();
  await expect(screen.getByTestId("case-status")).toBeVisible();
  expect(popups).toEqual([]);

  // Sumsub reviews (green, both steps) and posts applicantReviewed. A forged signature is
  // refused; the real one is stored once however often Sumsub delivers it.
  await vendorWillAnswer(page.request, "sumsub/review", {
    review: {
      reviewStatus: "completed",
      reviewDate: "2026-12-03 09:00:00+0000",
      reviewResult: { reviewAnswer: "GREEN" },
    },
    steps: {
      IDENTITY: { reviewResult: { reviewAnswer: "GREEN" } },
      SELFIE: { reviewResult: { reviewAnswer: "GREEN" } },
    },
  });
  const reviewed = {
    type: "applicantReviewed",
    applicantId: applicant.id,
    externalUserId: applicant.externalUserId,
    reviewStatus: "completed",
    reviewResult: { reviewAnswer: "GREEN" },
  };
  expect(
    await vendorPostsWebhook(page.request, "sumsub/webhook", {
      payload: reviewed,
      secret: "forged",
    }),
  ).toMatchObject({ status: 401 });
  expect(await vendorPostsWebhook(page.request, "sumsub/webhook", { payload: reviewed })).toEqual({
    status: 200,
    body: { ok: true, outcome: "recorded" },
  });
  expect(await vendorPostsWebhook(page.request, "sumsub/webhook", { payload: reviewed })).toEqual({
    status: 200,
    body: { ok: true, outcome: "unchanged" },
  });

  // The checks run again with the verdict (the scheduler's sweep); the reviewer sees Sumsub's
  // answer in our vocabulary and opens Sumsub's report.
  const reviewer = await signIn(browser, "sumsub.reviewer@broker.example");
  const trader = "trader2831@example.com";
  const verdict = reviewer.getByTestId("vendor-verdict");
  await expect
    .poll(
      async () => {
        await runHousekeeping(page.request);
        await openCase(reviewer, trader);
        // Until the round's checks have recorded (the submit's own run may still hold the case,
        // and the sweep leaves it), the page has no verdict: look again rather than wait on it.
        if ((await verdict.count()) === 0) return null;
        return verdict.getAttribute("data-vendor-outcome");
      },
      { timeout: 30_000 },
    )
    .toBe("approved");
  await expect(reviewer.locator('[data-check="vendor"]')).toHaveAttribute("data-outcome", "pass");
  await expect(verdict.locator('[data-signal="documentAuthenticity"]')).toHaveAttribute(
    "data-value",
    "clear",
  );
  await expect(verdict.locator('[data-signal="documentAuthenticity"]')).toHaveText("Clear");
  await expect(verdict.locator('[data-signal="faceMatch"]')).toHaveAttribute("data-value", "clear");
  await expect(verdict.locator('[data-signal="faceMatch"]')).toHaveText("Clear");
  const href = await reviewer.getByTestId("vendor-report").getAttribute("href");
  const report = await reviewer.request.get(href!);
  expect(report.headers()["content-type"]).toBe("application/pdf");
  expect((await report.body()).subarray(0, 5).toString()).toBe("%PDF-");
  expect(await vendorState(page.request)).toMatchObject({
    sumsub: { reportsServed: 1 },
  });

  // The trader's close control, after all this, still asks cTrader to close the screen.
  await screen.getByTestId("close-control").click();
  await expect(page.getByTestId("sim-note")).toContainText("asked to close");
  expect(popups).toEqual([]);
});
