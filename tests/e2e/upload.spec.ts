import { expect, test, type Browser, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { HEIC_FIXTURES, transparentTextPage } from "../fixtures/documents/make-fixtures";
import { documentPhoto } from "./fixtures/documents";
import { fillPassport, fillPersonal } from "./fixtures/flow";
import m from "../../messages/en.json";

/**
 * The upload screen on a phone in a webview-like context: quality feedback, preview, progress,
 * the server's verdict and the checklist; replacing a side already sent; a transparent PNG seen
 * on white; the camera falling back cleanly when there is none; and "continue on your phone"
 * completing in a second browser while the first one follows, or its code expiring.
 */
test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

async function open(page: Page, userId: number, documentType: string, source = "Android") {
  const launched = await page.request.post("/api/dev/simulator/launch", {
    data: { userId, screen: "upload", lang: "en", theme: "light", source, documentType },
  });
  await page.goto(((await launched.json()) as { path: string }).path);
  await expect(page.getByTestId("upload-screen")).toBeVisible();
}

/** The status screen's checklist shows the address document accepted, and nothing went wrong. */
async function expectAddressAcceptedOnStatus(page: Page, errors: string[]) {
  await page.goto("/inapp/kyc/status");
  await expect(
    page.getByTestId("document-checklist").locator('[data-document="address"]'),
  ).toHaveAttribute("data-state", "accepted");
  expect(errors).toEqual([]);
}

/** A desktop browser on the trader's address upload screen; `clock`: installed before it opens. */
async function onDesktop(browser: Browser, userId: number, { clock = false } = {}) {
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const desk = await desktop.newPage();
  if (clock) await desk.clock.install();
  await open(desk, userId, "address", "Desktop");
  return { desktop, desk };
}

/** The trader's phone opening the link the desktop shows. */
async function phoneOpening(browser: Browser, url: string) {
  const phoneContext = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
  });
  const phone = await phoneContext.newPage();
  await phone.goto(url);
  return { phoneContext, phone };
}

async function pick(page: Page, buffer: Buffer) {
  await page
    .getByTestId("file-input")
    .setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer });
  await expect(page.getByTestId("preview")).toBeVisible();
}

test("quality feedback, retake, progress, and the verdict in the checklist", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await open(page, 2301, "address");

  await pick(page, await documentPhoto("blurred"));
  await expect(page.getByTestId("quality-issues").locator("[data-issue=blurry]")).toBeVisible();
  await page.getByTestId("retake").click();

  await pick(page, await documentPhoto("dark"));
  await expect(page.getByTestId("quality-issues").locator("[data-issue=too_dark]")).toBeVisible();
  await page.getByTestId("retake").click();

  // A slow network: the progress bar shows while the file travels.
  await page.route("**/api/uploads/local", async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await pick(page, await documentPhoto("sharp"));
  await expect(page.getByTestId("quality-issues")).toHaveCount(0);
  await page.getByTestId("upload").click();
  await expect(page.getByTestId("progress-bar")).toBeVisible();
  await expect(page.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });

  await expectAddressAcceptedOnStatus(page, errors);
});

test("a bad photo used anyway can be replaced until the case is sent", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await open(page, 2306, "address");
  const confirmed: string[] = [];
  page.on("response", (r) => {
    const id = /\/api\/inapp\/documents\/([^/]+)\/confirm$/.exec(new URL(r.url()).pathname)?.[1];
    if (id && r.status() === 200) confirmed.push(id);
  });

  const grey = await sharp({
    create: { width: 50, height: 40, channels: 3, background: "#808080" },
  })
    .png()
    .toBuffer();
  await page
    .getByTestId("file-input")
    .setInputFiles({ name: "grey.png", mimeType: "image/png", buffer: grey });
  await expect(page.getByTestId("quality-issues").locator("[data-issue=too_small]")).toBeVisible();
  await page.getByTestId("upload").click(); // "Use anyway"
  await expect(page.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('[data-testid=sides] [data-side="page"]')).toHaveAttribute(
    "data-state",
    "accepted",
  );

  // Replace it: the pickers come back for that side, with a way to keep the first file.
  await page.getByTestId("replace-page").click();
  await expect(page.getByTestId("replace-hint")).toBeVisible();
  await expect(page.getByTestId("keep-current")).toBeVisible();
  await pick(page, await documentPhoto("sharp", undefined, 41));
  await expect(page.getByTestId("quality-issues")).toHaveCount(0);
  await page.getByTestId("upload").click();
  await expect(page.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("replace-hint")).toHaveCount(0);
  expect(confirmed).toHaveLength(2);
  expect(confirmed[1]).not.toBe(confirmed[0]);

  // Changing one's mind: "Cancel" keeps the current file.
  await page.getByTestId("replace-page").click();
  await page.getByTestId("keep-current").click();
  await expect(page.getByTestId("upload-done")).toBeVisible();
  await expectAddressAcceptedOnStatus(page, errors);
});

test("a transparent PNG page is seen on white, not as a black, too dark photo", async ({
  page,
}) => {
  await open(page, 2307, "address");
  await page.getByTestId("file-input").setInputFiles({
    name: "statement.png",
    mimeType: "image/png",
    buffer: await transparentTextPage(),
  });
  const preview = page.getByTestId("preview");
  await expect(preview).toBeVisible();
  await expect(page.locator("[data-issue=too_dark]")).toHaveCount(0);
  // The preview is the JPEG that goes up: light paper, dark text.
  const { mean, darkest } = await preview.evaluate(async (img: HTMLImageElement) => {
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext("2d")!;
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let sum = 0;
    let min = 255;
    for (let i = 0; i < data.length; i += 4) {
      const v = (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
      sum += v;
      if (v < min) min = v;
    }
    return { mean: sum / (data.length / 4), darkest: min };
  });
  expect(mean).toBeGreaterThan(200);
  expect(darkest).toBeLessThan(80);
});

test("a refused file gets its reason and the screen stays usable", async ({ page }) => {
  await open(page, 2302, "identity");
  await page.getByTestId("file-input").setInputFiles({
    name: "invoice.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from(
      "%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    ),
  });
  await page.getByTestId("upload").click();
  await expect(page.getByTestId("upload-refused")).toBeVisible();
  await expect(page.getByTestId("choose-file")).toBeVisible();
});

test("a photo that arrives after another kind of document was chosen elsewhere: the screen says so and asks for the new kind's sides", async ({
  context,
  page,
}) => {
  const launched = await page.request.post("/api/dev/simulator/launch", {
    data: { userId: 2320, screen: "kyc", lang: "en", theme: "light", source: "Desktop" },
  });
  await page.goto(((await launched.json()) as { path: string }).path);
  await fillPersonal(page);
  await page.getByTestId("personal-continue").click();
  await fillPassport(page, m, "C01X02320");
  await page.getByTestId("documents-identity_document").getByRole("link").click();
  await expect(page.getByTestId("upload-screen")).toHaveAttribute("data-side", "page");

  // The passport's page is held on its way to storage...
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/uploads/local", async (route) => {
    arrived();
    await released;
    await route.continue();
  });
  await pick(page, await documentPhoto("sharp", undefined, 2320));
  await page.getByTestId("upload").click();
  await held;

  // ...while another window of the same session chooses an ID card instead.
  const other = await context.newPage();
  await other.goto("/inapp/kyc?step=identity_document");
  await other.getByLabel(m.Forms.identity_document.documentKindOptions.id_card).check();
  await other.getByTestId("step-continue").click();
  await expect(other.getByTestId("documents-identity_document")).toBeVisible();

  release();
  await expect(page.getByTestId("upload-refused")).toHaveText(
    "This photo was not used: another type of identity document was chosen while it was uploading. Please upload the document asked for now.",
  );
  await expect(page.getByTestId("upload-screen")).toHaveAttribute("data-side", "front");
  await expect(page.getByTestId("sides").locator("li")).toHaveCount(2);
  await expect(page.getByTestId("sides").locator('[data-side="page"]')).toHaveCount(0);
});

test("a HEIC the browser cannot decode goes up as it is, no error shown, and the server converts it", async ({
  browser,
}) => {
  // cTrader desktop on Windows is Chromium: no HEIC decoder, and no type for .heic unless
  // Windows has one. The worst case, a generic type (Playwright turns "" into a type by name).
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await desktop.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await open(page, 2305, "address", "Desktop");
  const heic = readFileSync(path.join(__dirname, "../fixtures/documents", HEIC_FIXTURES.upright));
  await page
    .getByTestId("file-input")
    .setInputFiles({ name: "IMG_0001.HEIC", mimeType: "application/octet-stream", buffer: heic });
  // The original goes up: no preview image (nothing decoded it here), just its name.
  await expect(page.getByTestId("preview")).toHaveText(/IMG_0001\.HEIC/);
  await expect(page.getByTestId("upload-refused")).toHaveCount(0);
  await expect(page.getByTestId("quality-issues")).toHaveCount(0);
  const started = page.waitForRequest(
    (r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/inapp/documents",
  );
  await page.getByTestId("upload").click();
  expect((await started).postDataJSON()).toMatchObject({
    contentType: "image/heic",
    size: heic.length,
  });
  await expect(page.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });

  await expectAddressAcceptedOnStatus(page, errors);
  await desktop.close();
});

test("without a camera, the live camera gives way to the file picker — no black screen", async ({
  page,
}) => {
  await open(page, 2303, "identity");
  await page.getByTestId("use-camera").click();
  await expect(page.getByTestId("camera-unavailable")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("use-camera")).toHaveCount(0);
  await expect(page.getByTestId("choose-file")).toBeVisible();
  await pick(page, await documentPhoto("sharp"));
});

test("continue on your phone: the link asks on the phone first, then opens the step, once, and the desktop follows", async ({
  browser,
}) => {
  const { desktop, desk } = await onDesktop(browser, 2304);
  await desk.getByTestId("start-handoff").click();
  const url = (await desk.getByTestId("handoff-url").textContent())!.trim();
  await expect(desk.locator("img.qr")).toBeVisible();

  const { phoneContext, phone } = await phoneOpening(browser, url);
  // Opening the link spends nothing: it shows whose verification it feeds and waits for a click.
  await expect(phone.getByTestId("handoff-confirm")).toBeVisible();
  await expect(phone.getByTestId("handoff-account")).toContainText("•••304");
  await phone.getByTestId("handoff-continue").click();
  await expect(phone).toHaveURL(/\/inapp\/kyc\/upload\?documentType=address$/);
  await expect(phone.getByTestId("upload-screen")).toBeVisible();
  await expect(phone.getByTestId("phone-handoff")).toHaveCount(0);
  // The phone's session is scoped to this document: no way back into the forms.
  await expect(phone.getByTestId("handoff-scope")).toBeVisible();
  await pick(phone, await documentPhoto("sharp", undefined, 31));
  await phone.getByTestId("upload").click();
  await expect(phone.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });

  // The desktop screen updates without a reload.
  await expect(desk.getByTestId("upload-done")).toBeVisible({ timeout: 15_000 });

  // The link was single use: opening it again shows the expired screen, with no button.
  const other = await (await browser.newContext()).newPage();
  await other.goto(url);
  await expect(other.getByTestId("expired-screen")).toBeVisible();
  await expect(other.getByTestId("handoff-continue")).toHaveCount(0);
  await desktop.close();
  await phoneContext.close();
});

test("the phone code says when it has expired and offers a new one", async ({ browser }) => {
  // The page's timers run on a clock the test moves: no waiting ten minutes.
  const { desktop, desk } = await onDesktop(browser, 2308, { clock: true });
  await desk.getByTestId("start-handoff").click();
  const first = (await desk.getByTestId("handoff-url").textContent())!.trim();
  await expect(desk.locator("img.qr")).toBeVisible();
  await expect(desk.getByTestId("handoff-expired")).toHaveCount(0);

  await desk.clock.fastForward("09:50");
  await expect(desk.locator("img.qr")).toBeVisible();
  const follow = desk.waitForResponse((r) => r.url().includes("/api/inapp/handoff?"));
  await desk.clock.fastForward("00:15");
  await expect(desk.getByTestId("handoff-expired")).toBeVisible();
  await expect(desk.locator("img.qr")).toHaveCount(0);
  await expect(desk.getByTestId("handoff-url")).toHaveCount(0);

  // Nobody redeemed it: the desktop stops reading the sides instead of polling for a phone
  // session that never started.
  expect(await (await follow).json()).toEqual({ followInSeconds: 0 });
  let reads = 0;
  desk.on("request", (r) => void (r.url().includes("/api/inapp/documents?") && reads++));
  await desk.clock.fastForward("05:00");
  await desk.waitForTimeout(500);
  expect(reads).toBe(0);

  await desk.getByTestId("handoff-renew").click();
  await expect(desk.locator("img.qr")).toBeVisible();
  await expect(desk.getByTestId("handoff-expired")).toHaveCount(0);
  const second = (await desk.getByTestId("handoff-url").textContent())!.trim();
  expect(second).not.toBe(first);
  await desktop.close();
});

test("the desktop goes on following the phone after the code expires, while the phone's session can upload", async ({
  browser,
}) => {
  const { desktop, desk } = await onDesktop(browser, 2309, { clock: true });
  await desk.getByTestId("start-handoff").click();
  const url = (await desk.getByTestId("handoff-url").textContent())!.trim();

  const { phoneContext, phone } = await phoneOpening(browser, url);
  await phone.getByTestId("handoff-continue").click();
  await expect(phone.getByTestId("upload-screen")).toBeVisible();

  // The code runs out on the desktop; the phone's session (15 minutes) has not.
  await desk.clock.fastForward("10:05");
  await expect(desk.getByTestId("handoff-expired")).toBeVisible();
  await pick(phone, await documentPhoto("sharp", undefined, 37));
  await phone.getByTestId("upload").click();
  await expect(phone.getByTestId("upload-done")).toBeVisible({ timeout: 20_000 });

  // The desktop shows it without a reload.
  await expect(desk.getByTestId("upload-done")).toBeVisible({ timeout: 15_000 });
  await desktop.close();
  await phoneContext.close();
});

test("says why no link for the phone could be made, and lets the trader try again", async ({
  browser,
}) => {
  const { desktop, desk } = await onDesktop(browser, 2310);
  // The server cannot make the link (a fault on the way): the card stays, says so, offers a retry.
  await desk.route("**/api/inapp/handoff", (route) => route.fulfill({ status: 503, body: "" }));
  await desk.getByTestId("start-handoff").click();
  await expect(desk.getByTestId("handoff-unavailable")).toHaveText(m.Upload.phoneUnavailable);
  await desk.unroute("**/api/inapp/handoff");
  await desk.getByTestId("handoff-retry").click();
  await expect(desk.locator("img.qr")).toBeVisible();
  await expect(desk.getByTestId("handoff-unavailable")).toHaveCount(0);

  await desktop.close();

  // Another trader signs in in this browser: the earlier window is told to reload, no retry.
  const shared = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const earlier = await shared.newPage();
  await open(earlier, 2313, "address", "Desktop");
  await open(await shared.newPage(), 2314, "address", "Desktop");
  await earlier.getByTestId("start-handoff").click();
  await expect(earlier.getByTestId("handoff-unavailable")).toHaveText(m.Errors.otherSignIn);
  await expect(earlier.getByTestId("handoff-retry")).toHaveCount(0);
  await shared.close();
});
