import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import { resolveSession } from "@/lib/identity/sessions";
import { GET as health } from "@/app/api/health/route";
import { withDbAndCtrader } from "../helpers/harness";
import { HttpResponse, identity, stubRedeem, ctraderNotFound } from "../helpers/ctrader-stub";

const db = withDbAndCtrader();

/** A screen URL as cTrader opens it. */
const open = (pathAndQuery: string, method = "GET") =>
  proxy(new NextRequest(`https://broker.test${pathAndQuery}`, { method }));

/** Where a 303 sends the browser, on the origin it came from. */
const target = (response: Response) => {
  const location = response.headers.get("location");
  if (!location) return null;
  const url = new URL(location, "https://broker.test");
  expect(url.origin).toBe("https://broker.test");
  return url.pathname + url.search;
};

describe("GET /inapp/kyc?token=… (the exchange, in proxy.ts)", () => {
  it("answers 303 to the clean screen URL with a __Host- session cookie fit for a cross-site iframe", async () => {
    stubRedeem(() => HttpResponse.json(identity(6001)));
    const response = await open("/inapp/kyc/status?token=tok-6001&lang=de");
    expect(response.status).toBe(303);
    // The resume code is for a browser that drops the cookie (tests/app/inapp/resume.test.ts).
    expect(target(response)).toMatch(/^\/inapp\/kyc\/status\?resume=[A-Za-z0-9_-]{43}&lang=de$/);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-kyc_session=[A-Za-z0-9_-]{43};/);
    for (const attribute of ["Path=/", "Secure", "HttpOnly", "SameSite=none", "Partitioned"]) {
      expect(cookie.toLowerCase()).toContain(attribute.toLowerCase());
    }
    expect(cookie.toLowerCase()).not.toContain("domain=");
  });

  it("speaks the webview's language to a new trader whose launch names none, and keeps the trader's after", async () => {
    const launch = async (token: string, query: string, acceptLanguage: string) => {
      stubRedeem(() => HttpResponse.json(identity(6003)));
      const response = await proxy(
        new NextRequest(`https://broker.test/inapp/kyc?token=${token}${query}`, {
          headers: { "accept-language": acceptLanguage },
        }),
      );
      const cookie = /__Host-kyc_session=([^;]+)/.exec(response.headers.get("set-cookie") ?? "");
      return (await resolveSession(cookie?.[1] ?? ""))?.locale;
    };
    // A phone set to Portuguese, a launch without lang: Portuguese, not English.
    expect(await launch("tok-6003a", "", "pt-BR,pt;q=0.9,en;q=0.8")).toBe("pt");
    // The trader's language is known now: a German webview does not change it; lang does.
    expect(await launch("tok-6003b", "", "de-DE")).toBe("pt");
    expect(await launch("tok-6003c", "&lang=it", "de-DE")).toBe("it");
  });

  it("sends a refused token to the localized expired screen without a cookie", async () => {
    stubRedeem(() => ctraderNotFound());
    const response = await open("/inapp/kyc?token=tok-used&lang=ar&theme=dark");
    expect(response.status).toBe(303);
    expect(target(response)).toBe("/inapp/expired?reason=expired&lang=ar&theme=dark");
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("says 'unavailable' instead of failing with a 500 when the database is down", async () => {
    stubRedeem(() => HttpResponse.json(identity(6002)));
    const { setDatabaseOverride } = await import("@/lib/db/client");
    const { openDatabase } = await import("@/lib/db/client");
    const dead = await openDatabase({
      kind: "postgres",
      url: "postgres://nobody@127.0.0.1:1/none",
      max: 1,
    });
    setDatabaseOverride(dead);
    try {
      const response = await open("/inapp/kyc?token=tok-6002");
      expect(response.status).toBe(303);
      expect(target(response)).toBe("/inapp/expired?reason=unavailable");
      expect((await health()).status).toBe(503);
    } finally {
      setDatabaseOverride(db());
      await dead.close();
    }
    expect((await health()).status).toBe(200);
  });

  it("answers HEAD (link scanners, prefetch) without spending the token", async () => {
    const seen = stubRedeem(() => HttpResponse.json(identity(6003)));
    const head = await open("/inapp/kyc?token=tok-6003", "HEAD");
    expect(head.headers.get("set-cookie")).toBeNull();
    expect(head.headers.get("location")).toBeNull();
    expect(seen).toHaveLength(0);
    const response = await open("/inapp/kyc?token=tok-6003");
    expect(target(response)).toMatch(/^\/inapp\/kyc\?resume=[A-Za-z0-9_-]{43}&lang=it$/);
  });

  it("sends the security headers and no-store with the 303 too", async () => {
    stubRedeem(() => HttpResponse.json(identity(6004)));
    const response = await open("/inapp/kyc?token=tok-6004");
    expect(response.status).toBe(303);
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors");
  });
});
