/**
 * What the vendor specs share: the screen in cTrader Web's cross-site frame on the simulator's
 * host page, the fake vendors' back office (tests/e2e-vendors/fake-vendors.ts), and the checks'
 * sweep through the cron route.
 */
import { expect, type APIRequestContext, type Frame, type Page } from "@playwright/test";
import { SCREEN_ORIGIN } from "../../playwright.config";
import { z } from "zod";
import { CRON_SECRET, FAKE_VENDORS } from "../../playwright.vendors.config";
import { controlBodies, deliverySchema, stateSchema, type ControlPath } from "./control";

/**
 * Launches a trader through the simulator and opens the screen as cTrader Web does: in a frame
 * on another site (the host page is on the other loopback name). Returns the screen's frame.
 */
export async function launchInCtraderWeb(
  page: Page,
  data: { userId: number; lang: string; kycType: string },
): Promise<Frame> {
  await page.goto("/dev/ctrader");
  const launched = await page.request.post("/api/dev/simulator/launch", {
    data: { screen: "kyc", theme: "light", source: "Web", ...data },
  });
  const { path } = (await launched.json()) as { path: string };
  await page.evaluate((src) => {
    const frame = document.createElement("iframe");
    frame.src = src;
    frame.title = "KYC screen";
    frame.dataset.testid = "ctrader-web-frame";
    frame.allow = "camera";
    frame.style.cssText = "width: 390px; height: 720px";
    document.body.append(frame);
  }, `${SCREEN_ORIGIN}${path}`);
  const element = await page.getByTestId("ctrader-web-frame").elementHandle();
  const screen = await element?.contentFrame();
  if (!screen) throw new Error("the screen's frame did not load");
  await expect(screen.getByTestId("close-control")).toBeVisible();
  return screen;
}

type Body<P extends ControlPath> = z.input<(typeof controlBodies)[P]>;

async function control(request: APIRequestContext, path: ControlPath, data: unknown) {
  const response = await request.post(`${FAKE_VENDORS}/_control/${path}`, { data });
  expect(response.ok()).toBe(true);
  return (await response.json()) as unknown;
}

/** The vendor's next answer to the app: Sumsub's review, or Onfido's check. */
export async function vendorWillAnswer<P extends "sumsub/review" | "onfido/check">(
  request: APIRequestContext,
  path: P,
  data: Body<P>,
): Promise<void> {
  await control(request, path, data);
}

/** The vendor posts its signed webhook to the app; what the app answered. */
export async function vendorPostsWebhook<P extends "sumsub/webhook" | "onfido/webhook">(
  request: APIRequestContext,
  path: P,
  data: Body<P>,
): Promise<z.infer<typeof deliverySchema>> {
  return deliverySchema.parse(await control(request, path, data));
}

/** What the vendors were asked so far. */
export async function vendorState(
  request: APIRequestContext,
): Promise<z.infer<typeof stateSchema>> {
  const response = await request.get(`${FAKE_VENDORS}/_control/state`);
  expect(response.ok()).toBe(true);
  return stateSchema.parse(await response.json());
}

/** The scheduler's call (what Vercel cron does every few minutes): checks due run now. */
export async function runHousekeeping(request: APIRequestContext): Promise<void> {
  const response = await request.get("/api/cron/housekeeping", {
    headers: { authorization: `Bearer ${CRON_SECRET}` },
  });
  expect(response.status()).toBe(200);
}

/**
 * The id of the check the fake Onfido started for the applicant: it numbers its checks in the
 * order they were asked for across the whole run, so a spec asks rather than counts on its place.
 */
export async function onfidoCheckOf(
  request: APIRequestContext,
  applicantId: string,
): Promise<string> {
  const started = (await vendorState(request)).onfido.calls.filter(
    (c) => c.method === "POST" && c.path === "/v3.6/checks",
  );
  const index = started.findIndex(
    (c) => (c.body as { applicant_id?: string } | null)?.applicant_id === applicantId,
  );
  expect(index).toBeGreaterThanOrEqual(0);
  return `check-${index + 1}`;
}
