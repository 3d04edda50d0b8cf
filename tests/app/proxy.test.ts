import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { setTestEnv } from "../helpers/env";

beforeEach(() => setTestEnv({ FRAME_ANCESTORS: "https://app.ctrader.com" }));

const run = (url: string, headers: Record<string, string> = {}) =>
  proxy(new NextRequest(url, { headers }));

/** What the proxy forwards to the page, as Next.js reads it (x-middleware-request-* headers). */
const forwarded = (response: Response, name: string) =>
  response.headers.get(`x-middleware-request-${name}`);

describe("proxy", () => {
  it("sends a CSP with this response's nonce and FRAME_ANCESTORS, plus nosniff and no-referrer, on every route", () => {
    for (const path of ["/inapp/kyc", "/api/health", "/oauth2/crmApiToken", "/dev/ctrader"]) {
      const response = run(`https://broker.test${path}`);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors https://app.ctrader.com");
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("uses a fresh nonce for every request", () => {
    const a = run("https://broker.test/inapp/kyc").headers.get("content-security-policy");
    const b = run("https://broker.test/inapp/kyc").headers.get("content-security-policy");
    expect(a).not.toBe(b);
  });

  it("rewrites a screen URL with a token to the exchange route, moving the token out of the URL", () => {
    const response = run(
      "https://broker.test/inapp/kyc/upload?token=abc123&documentType=identity&lang=de",
    );
    const rewrite = new URL(response.headers.get("x-middleware-rewrite") ?? "");
    expect(rewrite.pathname).toBe("/api/inapp/enter");
    expect(rewrite.searchParams.get("screen")).toBe("upload");
    expect(rewrite.searchParams.has("token")).toBe(false);
    expect(response.headers.get("x-middleware-rewrite")).not.toContain("abc123");
    expect(forwarded(response, "x-kyc-entry-token")).toBe("abc123");
  });

  it("keeps the token header on the exchange route itself, where Next.js may re-enter the proxy", () => {
    const reentry = run("https://broker.test/api/inapp/enter?screen=kyc", {
      "x-kyc-entry-token": "abc123",
    });
    expect(forwarded(reentry, "x-kyc-entry-token")).toBe("abc123");
    expect(reentry.headers.get("x-middleware-rewrite")).toBeNull();
  });

  it("does not rewrite a screen without a token, nor a token on other paths", () => {
    expect(run("https://broker.test/inapp/kyc").headers.get("x-middleware-rewrite")).toBeNull();
    expect(
      run("https://broker.test/inapp/kyc/other?token=abc").headers.get("x-middleware-rewrite"),
    ).toBeNull();
  });

  it("hands lang, theme and source to the page and ignores client-sent copies of those headers", () => {
    const response = run("https://broker.test/inapp/kyc?lang=pt-BR&theme=Dark&source=android", {
      "x-kyc-entry-token": "smuggled",
    });
    expect(forwarded(response, "x-kyc-lang")).toBe("pt");
    expect(forwarded(response, "x-kyc-theme")).toBe("dark");
    expect(forwarded(response, "x-kyc-source")).toBe("Android");
    expect(forwarded(response, "x-kyc-entry-token")).toBeNull();
    const spoofed = run("https://broker.test/inapp/kyc", {
      "x-kyc-lang": "ar",
      "x-kyc-entry-token": "smuggled",
    });
    expect(forwarded(spoofed, "x-kyc-lang")).toBeNull();
    expect(forwarded(spoofed, "x-kyc-entry-token")).toBeNull();
  });
});
