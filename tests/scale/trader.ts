/**
 * A trader over plain HTTP, as a browser without JavaScript drives the screens: cTrader's launch
 * URL (303 + session cookie), the server-rendered forms posted back with their own hidden fields
 * (React's server-action form fields included: the forms work without JavaScript), and the
 * upload API the upload screen calls (start, the multipart POST, confirm). Any replica serves
 * any request: the session lives in PostgreSQL.
 */
import { traderToken } from "../bench/ctrader-stub";
import { WINDOW_HEADER, windowRefIn } from "../bench/trader-window";
import { documentPhoto } from "../e2e/fixtures/documents";

const SESSION_COOKIE = /__Host-kyc_session=[^;]+/;

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([^\s=/>]+)(?:="([^"]*)")?/g))
    if (m[1] && m[1] !== "<input") out[m[1]] = decode(m[2] ?? "");
  return out;
}

/** The hidden fields of the form with `data-testid="<testId>"` in a rendered page. */
export function hiddenFields(html: string, testId: string): [string, string][] {
  const start = html.search(new RegExp(`<form[^>]*data-testid="${testId}"`));
  if (start < 0) throw new Error(`no form ${testId} on the page`);
  const form = html.slice(start, html.indexOf("</form>", start));
  return [...form.matchAll(/<input[^>]*>/g)]
    .map((m) => attributes(m[0]))
    .filter((a) => a.type === "hidden" && a.name)
    .map((a) => [a.name!, a.value ?? ""]);
}

export type Launch = { status: number; location: string; cookie: string | undefined };

export class HttpTrader {
  cookie = "";

  constructor(readonly userId: number) {}

  /** A fresh launch token for this trader, as cTrader mints one. */
  token(): string {
    return traderToken(this.userId);
  }

  /** Opens the screen from cTrader's launch URL on `origin`; keeps the session cookie it gets. */
  async launch(origin: string, token = this.token(), query = "lang=en"): Promise<Launch> {
    const response = await fetch(`${origin}/inapp/kyc?token=${token}&${query}`, {
      redirect: "manual",
    });
    await response.arrayBuffer();
    const cookie = SESSION_COOKIE.exec(response.headers.get("set-cookie") ?? "")?.[0];
    if (cookie) this.cookie = cookie;
    return { status: response.status, location: response.headers.get("location") ?? "", cookie };
  }

  private headers(origin: string): Record<string, string> {
    return { cookie: this.cookie, origin, "sec-fetch-site": "same-origin" };
  }

  async page(origin: string, path: string): Promise<string> {
    const response = await fetch(`${origin}${path}`, { headers: { cookie: this.cookie } });
    const html = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return html;
  }

  /** Loads `path`, fills the form `testId` and posts it as the browser does; returns the answer. */
  async postForm(
    origin: string,
    path: string,
    testId: string,
    fields: [string, string][],
  ): Promise<Response> {
    const body = new FormData();
    for (const [k, v] of [...hiddenFields(await this.page(origin, path), testId), ...fields])
      body.append(k, v);
    const response = await fetch(`${origin}${path}`, {
      method: "POST",
      headers: this.headers(origin),
      body,
      redirect: "manual",
    });
    await response.arrayBuffer();
    return response;
  }

  /**
   * The upload screen's three calls for one photo; answers the confirm's state. Its script sends
   * the sign-in reference the screen was rendered with (tests/bench/trader-window.ts).
   */
  async uploadPhoto(origin: string, documentType: string, seed: number): Promise<string> {
    const bytes = await documentPhoto("sharp", { width: 1000, height: 640 }, seed);
    const screen = await this.page(origin, `/inapp/kyc/upload?documentType=${documentType}`);
    const windowRef = windowRefIn(screen);
    if (!windowRef) throw new Error(`upload screen ${documentType}: no window reference`);
    const headers = { ...this.headers(origin), [WINDOW_HEADER]: windowRef };
    const started = await fetch(`${origin}/api/inapp/documents`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({
        documentType,
        side: "page",
        contentType: "image/jpeg",
        size: bytes.length,
        fileName: "photo.jpg",
      }),
    });
    const text = await started.text();
    if (started.status !== 201) throw new Error(`upload start: HTTP ${started.status} ${text}`);
    const form = JSON.parse(text) as {
      documentId: string;
      upload: { url: string; fields: Record<string, string> };
    };
    const body = new FormData();
    for (const [k, v] of Object.entries(form.upload.fields)) body.append(k, v);
    body.append("file", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "photo.jpg");
    const posted = await fetch(new URL(form.upload.url, origin), { method: "POST", body });
    await posted.arrayBuffer();
    if (posted.status >= 300) throw new Error(`upload: HTTP ${posted.status}`);
    const confirmed = await fetch(`${origin}/api/inapp/documents/${form.documentId}/confirm`, {
      method: "POST",
      headers,
    });
    const answer = await confirmed.text();
    if (confirmed.status !== 200) throw new Error(`confirm: HTTP ${confirmed.status} ${answer}`);
    return (JSON.parse(answer) as { state: string }).state;
  }

  /**
   * The basic level from a fresh launch to "submitted", every step on `origin`: personal
   * information, the identity document's details and its photo, the declaration.
   */
  async submitBasicLevel(origin: string, seed: number): Promise<void> {
    const expect303 = (what: string, response: Response, to: string) => {
      const location = response.headers.get("location") ?? "";
      if (response.status !== 303 || !location.endsWith(to))
        throw new Error(`${what}: HTTP ${response.status} → ${location || "(no location)"}`);
    };
    expect303(
      "personal",
      await this.postForm(origin, "/inapp/kyc", "personal-form", [
        ["givenNames", "Lea"],
        // A surname of letters only, one of each trader's own.
        [
          "surnames",
          `Brandt ${seed.toString(26).replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 26)))}`,
        ],
        ["email", `trader${this.userId}@example.com`],
        ["dateOfBirth", "1988-04-12"],
        ["placeOfBirth", "Köln"],
        ["countryOfBirth", "DE"],
        ["nationalities", "DE"],
        ["addressLine1", "Ringstraße 5"],
        ["city", "Köln"],
        ["postcode", "50667"],
        ["country", "DE"],
        ["phone", "+49 1512 3456789"],
      ]),
      "/inapp/kyc",
    );
    expect303(
      "identity document",
      await this.postForm(origin, "/inapp/kyc", "step-form", [
        ["documentKind", "passport"],
        ["documentNumber", `C01X${String(seed).padStart(5, "0")}`],
        ["issuingCountry", "DE"],
        ["expiryDate", "2032-01-31"],
      ]),
      "/inapp/kyc",
    );
    const state = await this.uploadPhoto(origin, "identity", seed);
    if (state !== "accepted") throw new Error(`identity photo: ${state}`);
    expect303(
      "submit",
      await this.postForm(origin, "/inapp/kyc", "submit-form", [["declaration", "yes"]]),
      "/inapp/kyc/status",
    );
  }
}

export type StatusStream = {
  /** Every `status` event's status, in order. */
  statuses: string[];
  /** Resolves once a `status` event with `status` has arrived. */
  waitFor(status: string, timeoutMs?: number): Promise<void>;
  close(): void;
};

/** The status screen's live stream (server-sent events) of this trader's session, on `origin`. */
export async function openStatusStream(origin: string, cookie: string): Promise<StatusStream> {
  const abort = new AbortController();
  const response = await fetch(`${origin}/api/inapp/status/stream`, {
    headers: { cookie, accept: "text/event-stream" },
    signal: abort.signal,
  });
  if (response.status !== 200 || !response.body)
    throw new Error(`status stream: HTTP ${response.status}`);
  const statuses: string[] = [];
  const waiters: { status: string; resolve: () => void }[] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (!/^event: status$/m.test(event) || !data) continue;
          const { status } = JSON.parse(data) as { status: string };
          statuses.push(status);
          for (const w of waiters.filter((w) => w.status === status)) w.resolve();
        }
      }
    } catch {
      // closed
    }
  })();
  return {
    statuses,
    waitFor(status, timeoutMs = 30_000) {
      if (statuses.includes(status)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${status}" event; got ${JSON.stringify(statuses)}`)),
          timeoutMs,
        );
        waiters.push({
          status,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () => abort.abort(),
  };
}
