import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

/** axe on every trader screen, light and dark, LTR and RTL: no serious or critical violation. */
async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const cases = [
  { lang: "en", theme: "light", userId: 1001 },
  { lang: "ar", theme: "dark", userId: 1002 },
];

for (const { lang, theme, userId } of cases) {
  test(`every screen passes axe (${lang}, ${theme})`, async ({ page }) => {
    for (const screen of ["kyc", "status", "upload"] as const) {
      const response = await page.request.post("/api/dev/simulator/launch", {
        data: {
          userId,
          screen,
          lang,
          theme,
          source: "iOS",
          documentType: screen === "upload" ? "identity" : undefined,
        },
      });
      const { path } = (await response.json()) as { path: string };
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      expect({ screen, violations: await seriousViolations(page) }).toEqual({
        screen,
        violations: [],
      });
    }
    // The personal step with its errors showing.
    await page.goto("/inapp/kyc?step=personal");
    await page.getByTestId("personal-continue").click();
    await expect(page.getByTestId("error-summary")).toBeVisible();
    expect({ screen: "personal-errors", violations: await seriousViolations(page) }).toEqual({
      screen: "personal-errors",
      violations: [],
    });
    await page.goto(`/inapp/expired?reason=expired&lang=${lang}&theme=${theme}`);
    expect({ screen: "expired", violations: await seriousViolations(page) }).toEqual({
      screen: "expired",
      violations: [],
    });
  });
}

/** Every step form of the enhanced level, empty and with its errors showing, in both directions. */
for (const { lang, theme, userId } of [
  { lang: "de", theme: "light", userId: 2101 },
  { lang: "ar", theme: "dark", userId: 2102 },
]) {
  test(`every step form passes axe, with and without errors (${lang}, ${theme})`, async ({
    page,
  }) => {
    const response = await page.request.post("/api/dev/simulator/launch", {
      data: { userId, screen: "kyc", lang, theme, source: "Android", kycType: "enhanced" },
    });
    await page.goto(((await response.json()) as { path: string }).path);
    for (const step of [
      "identity_document",
      "proof_of_address",
      "tax",
      "source_of_funds",
      "employment",
      "purpose",
      "pep",
      "appropriateness",
    ]) {
      await page.goto(`/inapp/kyc?step=${step}`);
      await expect(page.getByTestId("step-form")).toBeVisible();
      expect({ step, violations: await seriousViolations(page) }).toEqual({ step, violations: [] });
      await page.getByTestId("step-continue").click();
      await expect(page.getByTestId("error-summary")).toBeVisible();
      expect({ step: `${step}-errors`, violations: await seriousViolations(page) }).toEqual({
        step: `${step}-errors`,
        violations: [],
      });
    }
  });
}
