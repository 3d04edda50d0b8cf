import { expect, test } from "@playwright/test";

test.use({ timezoneId: "Asia/Tokyo", locale: "ja-JP" });

test("status screen: timeline times in the trader's own time zone and language, checklist, no errors", async ({
  page,
}) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  const response = await page.request.post("/api/dev/simulator/launch", {
    data: { userId: 1003, screen: "status", lang: "ja", theme: "dark", source: "Desktop" },
  });
  const { path } = (await response.json()) as { path: string };
  await page.goto(path);
  const time = page.getByTestId("timeline").locator("time").first();
  const iso = await time.getAttribute("datetime");
  const expected = new Intl.DateTimeFormat("ja", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Asia/Tokyo",
  }).format(new Date(iso!));
  await expect(time).toHaveText(expected);
  await expect(page.getByTestId("document-checklist").locator("li")).toHaveCount(2);
  // The level's limits in the trader's currency format (Japanese: €50,000).
  await expect(page.getByTestId("limits")).toContainText("€50,000");
  expect(errors).toEqual([]);
});
