import { chromium } from "playwright-core";
const base = process.env.BASE || "http://localhost:3100";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
const user = Number(process.env.USER_ID || 2501);
const r = await page.request.post(base + "/api/dev/simulator/launch", { data: { userId: user, screen: "kyc", lang: process.env.LANG_ || "en", kycType: "enhanced" } });
const { path } = await r.json();
await page.goto(base + path);
const steps = (process.env.STEPS || "identity_document,tax,appropriateness").split(",");
for (const s of steps) {
  await page.goto(base + "/inapp/kyc?step=" + s);
  await page.screenshot({ path: `/tmp/peek-${s}.png`, fullPage: true });
  if (process.env.SUBMIT) { await page.click('[data-testid="step-continue"]'); await page.waitForTimeout(800); await page.screenshot({ path: `/tmp/peek-${s}-err.png`, fullPage: true }); }
}
await page.goto(base + "/inapp/kyc?view=overview");
await page.screenshot({ path: `/tmp/peek-overview.png`, fullPage: true });
console.log(JSON.stringify(errors));
await browser.close();
