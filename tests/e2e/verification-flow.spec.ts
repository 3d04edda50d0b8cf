import { expect, test, type Page, type TestInfo } from "@playwright/test";
import ar from "../../messages/ar.json";
import de from "../../messages/de.json";
import en from "../../messages/en.json";
import { fillPersonal, fillProofOfAddress, uploadPhoto } from "./fixtures/flow";

/**
 * A standard-level verification from the cTrader simulator to "submitted", on a phone, in
 * German and in Arabic (right to left): every step, both documents, the final submit, the status
 * screen. Screenshots of each screen are kept as test artifacts.
 */
test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

const RUNS = [
  { lang: "de", messages: de, userId: 2001, dir: "ltr" },
  { lang: "ar", messages: ar, userId: 2002, dir: "rtl" },
] as const;

/** A full-page screenshot kept as a file in the test's output folder (test-results/…). */
async function shot(page: Page, info: TestInfo, name: string) {
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: "image/png" });
}

for (const run of RUNS) {
  test(`standard level to submitted on a phone in ${run.lang}`, async ({ page }, info) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // Every catalog has English's keys (npm run i18n:check).
    const m = run.messages as unknown as typeof en;
    const launched = await page.request.post("/api/dev/simulator/launch", {
      data: { userId: run.userId, screen: "kyc", lang: run.lang, theme: "light", source: "iOS" },
    });
    await page.goto(((await launched.json()) as { path: string }).path);
    await expect(page.locator("html")).toHaveAttribute("dir", run.dir);

    // Personal information.
    await expect(page.getByTestId("personal-form")).toBeVisible();
    await shot(page, info, `${run.lang}-1-personal`);
    await fillPersonal(page);
    await page.getByTestId("personal-continue").click();

    // Identity document: an expired one is refused with the localized reason, then a valid one.
    await expect(page.getByTestId("step-form")).toBeVisible();
    await expect(page.locator("h1")).toHaveText(m.Forms.identity_document.title);
    await page.getByLabel(m.Forms.identity_document.documentKindOptions.id_card).check();
    await page.fill("#documentNumber", "L01X00T47");
    await page.selectOption("#issuingCountry", "DE");
    await page.fill("#expiryDate", "2021-01-31");
    await page.getByTestId("step-continue").click();
    await expect(page.getByTestId("error-expiryDate")).toHaveText(m.Errors.documentExpired);
    await shot(page, info, `${run.lang}-2-identity-error`);
    await page.fill("#expiryDate", "2032-01-31");
    await page.getByTestId("step-continue").click();

    // The overview: the ID card needs both sides.
    await expect(page.getByTestId("steps")).toBeVisible();
    const idDocs = page.getByTestId("documents-identity_document");
    await expect(idDocs.locator("li")).toHaveCount(2);
    await shot(page, info, `${run.lang}-3-overview`);
    await idDocs.getByRole("link").first().click();

    // Upload both sides.
    await expect(page.getByTestId("upload-screen")).toHaveAttribute("data-side", "front");
    await uploadPhoto(page, 11);
    await expect(page.getByTestId("upload-screen")).toHaveAttribute("data-side", "back");
    await shot(page, info, `${run.lang}-4-upload`);
    await uploadPhoto(page, 12);
    await expect(page.getByTestId("upload-done")).toBeVisible();
    await page.goto("/inapp/kyc");

    // Proof of address: the form, then its document.
    await expect(page.locator("h1")).toHaveText(m.Forms.proof_of_address.title);
    await fillProofOfAddress(page, m);
    await page.getByTestId("documents-proof_of_address").getByRole("link").click();
    await uploadPhoto(page, 21);
    await expect(page.getByTestId("upload-done")).toBeVisible();

    // Submit.
    await page.goto("/inapp/kyc");
    await expect(page.getByTestId("submit-form")).toBeVisible();
    await expect(page.getByTestId("progress")).toContainText("3");
    await shot(page, info, `${run.lang}-5-ready`);
    // Sent without the declaration: the refusal in the trader's language, not the browser's own
    // bubble in the phone's, and focus on it.
    await page.getByTestId("submit-case").tap();
    await expect(page.getByTestId("submit-error")).toHaveText(m.Kyc.mustConfirm);
    await expect(page.getByTestId("submit-error")).toBeFocused();
    await page.getByLabel(m.Kyc.declaration).check();
    await page.getByTestId("submit-case").click();
    await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);
    await expect(page.getByTestId("timeline").locator('[data-event="submit"]')).toBeVisible();
    await expect(
      page.getByTestId("document-checklist").locator('[data-state="accepted"]'),
    ).toHaveCount(3);
    await shot(page, info, `${run.lang}-6-status`);
    expect(errors).toEqual([]);
  });
}
