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
  it("sends a CSP with this response's nonce and FRAME_ANCESTORS, plus nosniff and no-referrer, on every route", async () => {
    for (const path of ["/inapp/kyc", "/api/health", "/oauth2/crmApiToken", "/dev/ctrader"]) {
      const response = await run(`https://broker.test${path}`);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors https://app.ctrader.com");
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("marks API answers same-origin for subresource loads, and not the screens cTrader frames", async () => {
    for (const path of ["/api/health", "/api/inapp/documents", "/oauth2/crmApiToken"])
      expect(
        (await run(`https://broker.test${path}`)).headers.get("cross-origin-resource-policy"),
      ).toBe("same-origin");
    for (const path of ["/inapp/kyc", "/admin"])
      expect(
        (await run(`https://broker.test${path}`)).headers.get("cross-origin-resource-policy"),
      ).toBeNull();
  });

  it("sends HSTS from a production process only", async () => {
    expect(
      (await run("https://broker.test/inapp/kyc")).headers.get("strict-transport-security"),
    ).toBeNull();
    setTestEnv({
      NODE_ENV: "production",
      PUBLIC_BASE_URL: "https://broker.test",
      CRM_API_PASSWORD: "c".repeat(32),
      FRAME_ANCESTORS: "https://app.ctrader.com",
    });
    for (const path of ["/inapp/kyc", "/api/health", "/admin/login"])
      expect(
        (await run(`https://broker.test${path}`)).headers.get("strict-transport-security"),
      ).toMatch(/^max-age=63072000; includeSubDomains$/);
  });

  it("refuses <style> elements without the nonce in production; development keeps inline styles", async () => {
    const policy = async () =>
      (await run("https://broker.test/inapp/kyc")).headers.get("content-security-policy")!;
    setTestEnv({ NODE_ENV: "development" });
    expect(await policy()).toContain("style-src 'self' 'unsafe-inline'");
    setTestEnv({
      NODE_ENV: "production",
      PUBLIC_BASE_URL: "https://broker.test",
      CRM_API_PASSWORD: "c".repeat(32),
    });
    const csp = await policy();
    const nonce = /'nonce-([A-Za-z0-9+/=]{24})'/.exec(csp)?.[1];
    expect(csp).toContain(`style-src-elem 'self' 'nonce-${nonce}';`);
    expect(csp).toContain("style-src-attr 'unsafe-inline'");
    expect(csp).not.toMatch(/style-src(-elem)? [^;]*'unsafe-inline'/);
  });

  it("uses a fresh nonce for every request and gives the page the same one", async () => {
    const a = await run("https://broker.test/inapp/kyc");
    const b = await run("https://broker.test/inapp/kyc");
    expect(a.headers.get("content-security-policy")).not.toBe(
      b.headers.get("content-security-policy"),
    );
    expect(a.headers.get("content-security-policy")).toContain(
      `'nonce-${forwarded(a, "x-nonce")}'`,
    );
  });

  it("passes a screen without a token, and a token on other paths, on to the route untouched", async () => {
    for (const path of ["/inapp/kyc", "/inapp/kyc/other?token=abc", "/api/health?token=abc"]) {
      const response = await run(`https://broker.test${path}`);
      expect(response.headers.get("x-middleware-next")).toBe("1");
      expect(response.headers.get("set-cookie")).toBeNull();
    }
  });

  it("hands lang, theme and source to the page and ignores client-sent copies of those headers", async () => {
    const response = await run(
      "https://broker.test/inapp/kyc?lang=pt-BR&theme=Dark&source=android",
    );
    expect(forwarded(response, "x-kyc-lang")).toBe("pt");
    expect(forwarded(response, "x-kyc-theme")).toBe("dark");
    expect(forwarded(response, "x-kyc-source")).toBe("Android");
    const spoofed = await run("https://broker.test/inapp/kyc", {
      "x-kyc-lang": "ar",
      "x-nonce": "chosen",
    });
    expect(forwarded(spoofed, "x-kyc-lang")).toBeNull();
    expect(forwarded(spoofed, "x-nonce")).not.toBe("chosen");
  });
});
