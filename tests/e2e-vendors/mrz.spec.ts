import { expect, test } from "@playwright/test";
import en from "../../messages/en.json";
import { createStaff, openCase, signIn } from "../e2e/fixtures/console";
import { launch, type Catalog } from "../e2e/fixtures/flow";
import { renderDocument, SAMPLE_PEOPLE } from "../fixtures/mrz/synth";
import { runHousekeeping } from "./embedded";

/**
 * The MRZ pre-fill in a real browser (MRZ_CHECK=1, playwright.vendors.config.ts): a trader who
 * uploads a passport before typing finds the empty fields of the personal and identity steps
 * filled from its machine-readable zone and marked for checking, confirms them, sends the case,
 * and the reviewer sees the zone agree with every confirmed field. The passport is synthetic,
 * rendered in OCR-B (tests/fixtures/mrz/synth.ts, Debian's fonts-ocr-b).
 */
const databaseUrl = process.env.E2E_DATABASE_URL || "";
test.skip(!databaseUrl, "needs E2E_DATABASE_URL (PostgreSQL) to create staff accounts");

const m = en as unknown as Catalog;
const ZOFIA = SAMPLE_PEOPLE.find((p) => p.surnames === "Kowalska")!;

test("a passport uploaded first fills the empty fields, marked; confirmed, they pass the zone check", async ({
  page,
  browser,
}) => {
  await createStaff(databaseUrl, "mrz.reviewer@broker.example", "reviewer");
  await launch(page, { userId: 2833, screen: "kyc", lang: "en", kycType: "basic" });

  // The first step offers the passport first.
  await expect(page.getByTestId("personal-form")).toBeVisible();
  await page.getByTestId("prefill-offer").getByRole("link").click();
  await page.getByTestId("file-input").setInputFiles({
    name: "passport.jpg",
    mimeType: "image/jpeg",
    buffer: await renderDocument(ZOFIA, { kind: "passport", width: 1600 }),
  });
  await expect(page.getByTestId("preview")).toBeVisible();
  await page.getByTestId("upload").click();
  await expect(page.getByTestId("upload-done")).toBeVisible();

  // The zone is read after the upload's response: the personal step shows it once it is.
  await expect
    .poll(
      async () => {
        await page.goto("/inapp/kyc");
        return page.getByTestId("prefill-notice").isVisible();
      },
      { timeout: 60_000, intervals: [1_000, 2_000, 3_000] },
    )
    .toBe(true);
  const prefilled = async () =>
    (
      await page
        .locator("[data-prefilled]")
        .evaluateAll((marks) => marks.map((mark) => mark.getAttribute("data-prefilled")))
    ).sort();
  expect(await prefilled()).toEqual(["dateOfBirth", "givenNames", "nationalities", "surnames"]);
  await expect(page.locator("#surnames")).toHaveValue("Kowalska");
  await expect(page.locator("#givenNames")).toHaveValue("Zofia");
  await expect(page.locator("#dateOfBirth")).toHaveValue(ZOFIA.dateOfBirth);
  await expect(page.locator("#nationalities")).toHaveValue("PL");
  // Each filled field says where its value came from, for a screen reader too.
  await expect(page.locator("#givenNames")).toHaveAttribute(
    "aria-describedby",
    /givenNames-prefill/,
  );

  // Nothing counts until the trader confirms: they check, fill in the rest and continue.
  await page.fill("#placeOfBirth", "Kraków");
  await page.selectOption("#countryOfBirth", "PL");
  await page.fill("#addressLine1", "ul. Floriańska 5");
  await page.fill("#city", "Kraków");
  await page.fill("#postcode", "31-019");
  await page.selectOption("#country", "PL");
  await page.fill("#phone", "+48 512 345 678");
  await page.getByTestId("personal-continue").click();

  // The identity step, filled from the same zone and marked.
  await expect(page.getByTestId("step-form")).toBeVisible();
  expect(await prefilled()).toEqual([
    "documentKind",
    "documentNumber",
    "expiryDate",
    "issuingCountry",
  ]);
  await expect(
    page.getByLabel(m.Forms.identity_document.documentKindOptions.passport),
  ).toBeChecked();
  await expect(page.locator("#documentNumber")).toHaveValue(ZOFIA.documentNumber);
  await expect(page.locator("#issuingCountry")).toHaveValue("PL");
  await expect(page.locator("#expiryDate")).toHaveValue(ZOFIA.expiryDate);
  await page.getByTestId("step-continue").click();

  // Confirmed: the marks are gone, and the case can be sent.
  await page.goto("/inapp/kyc?step=personal");
  await expect(page.getByTestId("personal-form")).toBeVisible();
  expect(await prefilled()).toEqual([]);
  await page.goto("/inapp/kyc");
  await page.getByLabel(m.Kyc.declaration).check();
  await page.getByTestId("submit-case").click();
  await expect(page).toHaveURL(/\/inapp\/kyc\/status$/);

  // The reviewer reads the zone's agreement with every confirmed field.
  const reviewer = await signIn(browser, "mrz.reviewer@broker.example");
  const mrz = reviewer.locator('[data-check="mrz_match"]');
  await expect
    .poll(
      async () => {
        // The checks run after the submit's response; the scheduler's sweep picks up any that did not.
        await runHousekeeping(page.request);
        await openCase(reviewer, "trader2833@example.com");
        return mrz.getAttribute("data-outcome");
      },
      { timeout: 90_000, intervals: [2_000] },
    )
    .toBe("pass");
  const agreements = await reviewer
    .locator("[data-mrz-field]")
    .evaluateAll((fields) =>
      Object.fromEntries(
        fields.map((f) => [f.getAttribute("data-mrz-field"), f.getAttribute("data-agreement")]),
      ),
    );
  expect(agreements).toEqual({
    surnames: "agree",
    givenNames: "agree",
    dateOfBirth: "agree",
    nationality: "agree",
    documentNumber: "agree",
    expiryDate: "agree",
    issuingCountry: "agree",
  });
});
