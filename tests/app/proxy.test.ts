import { NextRequest } from "next/server";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { config, proxy } from "@/proxy";
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

  it("marks console requests for the officer's language, never a request that claims it", async () => {
    expect(forwarded(await run("https://broker.test/admin/cases/1"), "x-kyc-surface")).toBe(
      "console",
    );
    expect(forwarded(await run("https://broker.test/admin"), "x-kyc-surface")).toBe("console");
    const screen = await run("https://broker.test/inapp/kyc", { "x-kyc-surface": "console" });
    expect(forwarded(screen, "x-kyc-surface")).toBeNull();
    expect(forwarded(await run("https://broker.test/administrator"), "x-kyc-surface")).toBeNull();
  });
});

describe("proxy: paths Next.js cannot decode", () => {
  it.each([
    "/admin/documents/%",
    "/api/inapp/documents/%ZZ/confirm",
    "/api/uploads/local/%C0%AF",
    "/admin/cases/%E0%A4%A/export",
  ])("answers 400 for %s before Next.js decodes its segments", async (path) => {
    const response = await run(`https://broker.test${path}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ reason: "malformed_path" });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(unstable_doesMiddlewareMatch({ config, url: path })).toBe(true);
  });

  it("passes well-formed escapes on", async () => {
    for (const path of ["/admin/documents/%41", "/api/uploads/local/cases%2Fx", "/inapp/kyc%20"]) {
      const response = await run(`https://broker.test${path}`);
      expect(response.headers.get("x-middleware-next")).toBe("1");
    }
  });

  it("still leaves the local upload route's body alone (not matched), but runs for its downloads", () => {
    expect(unstable_doesMiddlewareMatch({ config, url: "/api/uploads/local" })).toBe(false);
    expect(unstable_doesMiddlewareMatch({ config, url: "/api/uploads/local/cases/a/b" })).toBe(
      true,
    );
  });
});

describe("proxy: server action requests Next.js would answer with a 500", () => {
  const action = (path: string, headers: Record<string, string>) =>
    proxy(
      new NextRequest(`https://broker.test${path}`, {
        method: "POST",
        headers: { host: "broker.test", "next-action": "7f00", ...headers },
        body: "[]",
      }),
    );

  it("refuses a foreign, null or unparsable Origin with 403, never trusting X-Forwarded-Host", async () => {
    for (const origin of ["https://evil.example", "null", "::not a url"]) {
      const response = await action("/admin/cases/1", {
        origin,
        "x-forwarded-host": "evil.example",
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ reason: "cross_site" });
    }
    const noJs = await proxy(
      new NextRequest("https://broker.test/inapp/kyc", {
        method: "POST",
        headers: {
          origin: "https://evil.example",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "a=b",
      }),
    );
    expect(noJs.status).toBe(403);
  });

  it("refuses a declared body over 1 MB with 413 and a multipart body without boundary with 400", async () => {
    expect((await action("/inapp/kyc", { "content-length": String(1024 * 1024 + 1) })).status).toBe(
      413,
    );
    expect((await action("/inapp/kyc", { "content-type": "multipart/form-data" })).status).toBe(
      400,
    );
  });

  it("passes our own pages' actions and leaves route handlers' POSTs to them", async () => {
    const own = await action("/inapp/kyc", {
      origin: "https://broker.test",
      "content-type": "multipart/form-data; boundary=x",
    });
    expect(own.headers.get("x-middleware-next")).toBe("1");
    const api = await proxy(
      new NextRequest("https://broker.test/api/inapp/documents", {
        method: "POST",
        headers: { origin: "https://evil.example" },
        body: "{}",
      }),
    );
    expect(api.headers.get("x-middleware-next")).toBe("1");
  });

  it("gives every answer a request id, the page the same one, and takes a plausible one from the caller", async () => {
    const fresh = await run("https://broker.test/inapp/kyc");
    const id = fresh.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(forwarded(fresh, "x-request-id")).toBe(id);
    expect((await run("https://broker.test/inapp/kyc")).headers.get("x-request-id")).not.toBe(id);

    const traced = await run("https://broker.test/api/health", { "x-request-id": "lb-trace-42" });
    expect(traced.headers.get("x-request-id")).toBe("lb-trace-42");
    expect(forwarded(traced, "x-request-id")).toBe("lb-trace-42");

    // Too long: replaced, on the answer and for the route alike (the route never sees it).
    const long = await run("https://broker.test/inapp/kyc", { "x-request-id": "x".repeat(129) });
    expect(long.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(forwarded(long, "x-request-id")).toBe(long.headers.get("x-request-id"));

    // Refusals and the token exchange's redirect carry it too.
    const malformed = await run("https://broker.test/inapp/%E0%A4%A", { "x-request-id": "r-bad" });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("x-request-id")).toBe("r-bad");
  });
});
