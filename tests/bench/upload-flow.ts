/**
 * Issue 4's upload targets, measured through the real upload screen in Debian Chromium
 * (playwright-core), on the production server:
 *
 * - client compression: a 12 MP photo-like JPEG picked on /inapp/kyc/upload goes through the
 *   app's own browser code (prepareFile in lib/documents/client-image.ts); the file the screen
 *   then posts is read from the request and must be ≤ 1 MB.
 * - s3 mode: with STORAGE_DRIVER=s3 (s3rver behind a counting proxy) the same flow must send no
 *   document byte through the app server. A counting reverse proxy in front of the app sees every
 *   request the browser makes to it; the bodies must all be JSON (or empty), none the document.
 */
import { randomBytes } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import type { Browser, Page } from "playwright-core";
import { FRESH_TRADER_TOKEN_PREFIX } from "./ctrader-stub";
import { CHROMIUM_PATH } from "./lighthouse";

export const CLIENT_MAX_BYTES = 1_000_000;

/** The flags from the brief: Debian Chromium as the E2E tests run it. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });
}

/**
 * A phone-sized page with a session of a new trader, opened as cTrader opens the screens: a
 * one-time token in the URL (the bench's cTrader stub redeems any), exchanged for the cookie.
 */
async function sessionPage(browser: Browser, baseUrl: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const token = `${FRESH_TRADER_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  await page.goto(`${baseUrl}/inapp/kyc?token=${token}&lang=en`);
  const cookies = await context.cookies(baseUrl);
  if (!cookies.some((c) => c.name.endsWith("kyc_session")))
    throw new Error(`no session after the token exchange (at ${page.url()})`);
  return page;
}

/** The `file` part of a multipart/form-data body. */
export function multipartFile(body: Buffer, contentType: string): Buffer | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) return null;
  const delimiter = Buffer.from(`--${marker}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2); // CRLF after, CRLF before
    const split = part.indexOf("\r\n\r\n");
    if (split !== -1 && /name="file"/.test(part.subarray(0, split).toString("latin1"))) {
      return part.subarray(split + 4);
    }
    at = next;
  }
  return null;
}

export type UploadedImage = { bytes: number; width: number; height: number; format: string };

async function describe(file: Buffer): Promise<UploadedImage> {
  const meta = await sharp(file).metadata();
  return { bytes: file.length, width: meta.width, height: meta.height, format: meta.format };
}

type FlowTiming = { prepareMs: number; uploadMs: number };

/**
 * Picks `photo` on the upload screen, waits for the prepared preview, uploads it and waits for
 * the server's verdict. Returns the two waits a trader sees.
 */
async function pickAndUpload(page: Page, url: string, photo: Buffer): Promise<FlowTiming> {
  const errors: string[] = [];
  const console: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") console.push(m.text());
  });
  page.on("requestfailed", (r) => console.push(`${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(url);
  await page
    .getByTestId("upload-screen")
    .waitFor({ timeout: 45_000 })
    .catch(async () => {
      const text =
        (await page
          .locator("body")
          .textContent()
          .catch(() => "")) ?? "";
      throw new Error(
        `no upload screen at ${page.url()}: ${text.trim().slice(0, 80)}… ${[...errors, ...console].join("; ").slice(0, 600)}`,
      );
    });
  const picked = performance.now();
  await page
    .getByTestId("file-input")
    .setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: photo });
  await page.getByTestId("preview").waitFor({ timeout: 60_000 });
  const prepared = performance.now();
  await page.getByTestId("upload").click();
  const outcome = page
    .getByTestId("upload-done")
    .or(page.getByTestId("upload-refused"))
    .or(page.getByTestId("upload-failed"));
  await outcome.first().waitFor({ timeout: 60_000 });
  const done = performance.now();
  const verdict = await outcome.first().getAttribute("data-testid");
  if (verdict !== "upload-done") {
    const text = (await outcome.first().textContent())?.trim() ?? "";
    throw new Error(`the upload ended in ${verdict}: ${text}`);
  }
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  return { prepareMs: prepared - picked, uploadMs: done - prepared };
}

export type ClientCompressionResult = {
  input: UploadedImage;
  output: UploadedImage;
  /** From picking the file to the preview: decode, quality scores, downscale, re-encode. */
  prepareMs: number;
  /** From "upload" to the server's verdict (local driver: post, check, store). */
  uploadMs: number;
  pass: boolean;
};

/** The photo through the real screen on the local driver; the posted file is read off the wire. */
export async function benchClientCompression(options: {
  browser: Browser;
  baseUrl: string;
  photo: Buffer;
}): Promise<ClientCompressionResult> {
  const page = await sessionPage(options.browser, options.baseUrl);
  let uploaded: Buffer | null = null;
  await page.route("**/api/uploads/local**", async (route) => {
    const req = route.request();
    const body = req.postDataBuffer();
    if (body && req.method() === "POST") {
      uploaded = multipartFile(body, (await req.allHeaders())["content-type"] ?? "");
    }
    await route.continue();
  });
  try {
    const timing = await pickAndUpload(
      page,
      `${options.baseUrl}/inapp/kyc/upload?documentType=address&lang=en`,
      options.photo,
    );
    if (!uploaded) throw new Error("no multipart file seen on POST /api/uploads/local");
    const output = await describe(uploaded);
    return {
      input: await describe(options.photo),
      output,
      ...timing,
      pass: output.bytes <= CLIENT_MAX_BYTES,
    };
  } finally {
    await page.context().close();
  }
}

export type ProxiedRequest = {
  method: string;
  path: string;
  contentType: string;
  userAgent: string;
  /** Request line + headers, as received. */
  headerBytes: number;
  bodyBytes: number;
  /** Response body bytes sent back. */
  responseBytes: number;
};

export type CountingProxy = {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
};

function headerSize(req: IncomingMessage): number {
  let size = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`.length + 2;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    size += Buffer.byteLength(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`);
  }
  return size;
}

/**
 * A loopback reverse proxy that forwards everything to `target` unchanged (Host included) and
 * records the size of each request it passed on.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    const record: ProxiedRequest = {
      method: req.method ?? "?",
      path: req.url ?? "",
      contentType: String(req.headers["content-type"] ?? ""),
      userAgent: String(req.headers["user-agent"] ?? ""),
      headerBytes: headerSize(req),
      bodyBytes: 0,
      responseBytes: 0,
    };
    requests.push(record);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.rawHeaders);
        response.on("data", (chunk: Buffer) => (record.responseBytes += chunk.length));
        response.pipe(res);
      },
    );
    forward.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.on("data", (chunk: Buffer) => (record.bodyBytes += chunk.length));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const JSON_OR_EMPTY = (r: ProxiedRequest) => r.bodyBytes === 0 || /json/i.test(r.contentType);
const sum = (rs: readonly ProxiedRequest[], f: (r: ProxiedRequest) => number) =>
  rs.reduce((s, r) => s + f(r), 0);

export type S3UploadResult = {
  /** The prepared file's size, as the screen declared it to POST /api/inapp/documents. */
  documentBytes: number;
  app: {
    requests: number;
    headerBytes: number;
    bodyBytes: number;
    /** Bodies that are neither JSON nor empty: would be document bytes. */
    nonJsonBodyBytes: number;
    largestBodyBytes: number;
    paths: string[];
  };
  /** The browser → bucket requests (the presigned POST). */
  browserToBucket: { requests: number; bodyBytes: number };
  /** The app's own bucket calls on confirm (HEAD, read for the check, write of the re-encode). */
  appToBucket: { requests: number; bodyBytes: number; responseBytes: number };
  prepareMs: number;
  uploadMs: number;
  pass: boolean;
};

/**
 * The upload flow with the app behind `appProxy` and the bucket behind `bucketProxy` (both
 * counting). Only requests made during the flow are counted.
 */
export async function benchS3Upload(options: {
  browser: Browser;
  appProxy: CountingProxy;
  bucketProxy: CountingProxy;
  photo: Buffer;
}): Promise<S3UploadResult> {
  const { appProxy, bucketProxy } = options;
  const page = await sessionPage(options.browser, appProxy.url);
  // The size of the prepared file, as the screen announces it when it asks for an upload target
  // (Playwright cannot read a Blob-backed multipart body; the bucket proxy counts what arrived).
  let documentBytes = 0;
  page.on("request", (req) => {
    if (req.method() === "POST" && new URL(req.url()).pathname === "/api/inapp/documents") {
      const size = (req.postDataJSON() as { size?: unknown } | null)?.size;
      if (typeof size === "number") documentBytes = size;
    }
  });
  const appFrom = appProxy.requests.length;
  const bucketFrom = bucketProxy.requests.length;
  try {
    const timing = await pickAndUpload(
      page,
      `${appProxy.url}/inapp/kyc/upload?documentType=address&lang=en`,
      options.photo,
    );
    const app = appProxy.requests.slice(appFrom);
    const bucket = bucketProxy.requests.slice(bucketFrom);
    const fromSdk = (r: ProxiedRequest) => /aws-sdk/i.test(r.userAgent);
    const browserToBucket = bucket.filter((r) => !fromSdk(r));
    const appToBucket = bucket.filter(fromSdk);
    const nonJsonBodyBytes = sum(
      app.filter((r) => !JSON_OR_EMPTY(r)),
      (r) => r.bodyBytes,
    );
    const largestBodyBytes = Math.max(0, ...app.map((r) => r.bodyBytes));
    return {
      documentBytes,
      app: {
        requests: app.length,
        headerBytes: sum(app, (r) => r.headerBytes),
        bodyBytes: sum(app, (r) => r.bodyBytes),
        nonJsonBodyBytes,
        largestBodyBytes,
        paths: [
          ...new Set(
            app.filter((r) => r.bodyBytes > 0).map((r) => `${r.method} ${r.path.split("?")[0]}`),
          ),
        ],
      },
      browserToBucket: {
        requests: browserToBucket.length,
        bodyBytes: sum(browserToBucket, (r) => r.bodyBytes),
      },
      appToBucket: {
        requests: appToBucket.length,
        bodyBytes: sum(appToBucket, (r) => r.bodyBytes),
        responseBytes: sum(appToBucket, (r) => r.responseBytes),
      },
      ...timing,
      // The document went to the bucket, and nothing the size of a document reached the app.
      pass:
        documentBytes > 0 &&
        nonJsonBodyBytes === 0 &&
        largestBodyBytes < documentBytes / 100 &&
        sum(browserToBucket, (r) => r.bodyBytes) >= documentBytes,
    };
  } finally {
    await page.context().close();
  }
}
