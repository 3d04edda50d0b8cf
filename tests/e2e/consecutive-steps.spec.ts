import { expect, test, type Page } from "@playwright/test";
import en from "../../messages/en.json";
import {
  fillPersonal,
  fillProofOfAddress,
  launch,
  sendIdentityDocument,
  uploadPhoto,
  type Catalog,
} from "./fixtures/flow";

/**
 * Two step forms one after the other: "Save and continue" on one lands on the next at the same
 * address (/inapp/kyc), where the page puts the next form in the last one's place. The next form
 * must be a form of its own: starting with nothing said to be saved, autosaving and continuing on
 * its own draft's version, not the last step's (which the server would refuse as stale). It holds
 * because the action's redirect rejects the form's action and Next's redirect boundary around the
 * page remounts everything under it; this walks the flow so that stays true.
 */
test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

const m = en as unknown as Catalog;

const heading = (page: Page) => page.getByRole("heading", { level: 1 });
const status = (page: Page) => page.getByTestId("autosave-status");

test("after one step is saved, the next step's form autosaves and continues on its own draft", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await launch(page, {
    userId: 2951,
    screen: "kyc",
    lang: "en",
    source: "Android",
    kycType: "enhanced",
  });
  await expect(page.getByTestId("personal-form")).toBeVisible();
  await fillPersonal(page);
  await page.getByTestId("personal-continue").click();
  await sendIdentityDocument(page, m, 29511);
  await page.goto("/inapp/kyc");
  await fillProofOfAddress(page, m);
  await page.getByTestId("documents-proof_of_address").getByRole("link").click();
  await uploadPhoto(page, 29512);
  await expect(page.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });

  await page.goto("/inapp/kyc");
  await expect(heading(page)).toHaveText(m.Forms.tax.title);
  await page.selectOption("#taxCountry-0", "DE");
  await page.fill("#tin-0", "86095742719");
  await expect(status(page)).toHaveText(m.Form.saved);
  // A second row, added on this form only.
  await page.getByTestId("add-taxResidences").click();
  await page.selectOption("#taxCountry-1", "AT");
  await page.selectOption("#noTinReason-1", "not_required");
  await expect(status(page)).toHaveText(m.Form.saved);
  await page.getByTestId("step-continue").click();

  await expect(heading(page)).toHaveText(m.Forms.source_of_funds.title);
  // Nothing typed here yet: nothing said to be saved.
  await expect(status(page)).toHaveText("");
  await page.getByLabel(m.Forms.source_of_funds.sourcesOptions.salary).check();
  await expect(status(page)).toHaveText(m.Form.saved);
  await page.fill("#sourceDetails", "Salary from my employer");
  await expect(status(page)).toHaveText(m.Form.saved);
  await page.getByTestId("step-continue").click();

  // The form is in; its document is not: the overview says what is left.
  await expect(heading(page)).toHaveText(m.Kyc.title);
  await expect(page.locator('[data-step="tax"]')).toHaveAttribute("data-done", "true");
  await expect(page.getByTestId("documents-source_of_funds")).toBeVisible();
  await page.goto("/inapp/kyc?step=source_of_funds");
  await expect(page.getByLabel(m.Forms.source_of_funds.sourcesOptions.salary)).toBeChecked();
  await expect(page.locator("#sourceDetails")).toHaveValue("Salary from my employer");
  await page.goto("/inapp/kyc?step=tax");
  await expect(page.locator("#taxCountry-1")).toHaveValue("AT");
});
