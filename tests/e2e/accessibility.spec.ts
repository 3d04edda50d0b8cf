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
