import { NextRequest } from "next/server";
import { GET, HEAD } from "@/app/api/inapp/enter/route";
import { GET as health } from "@/app/api/health/route";
import { withDbAndCtrader } from "../helpers/harness";
import { HttpResponse, identity, stubRedeem } from "../helpers/ctrader-stub";

const db = withDbAndCtrader();

/** The request as proxy.ts hands it over: token in the internal header, not in the URL. */
const enter = (path: string, token: string | undefined) =>
  new NextRequest(`https://broker.test${path}`, {
    headers: token === undefined ? {} : { "x-kyc-entry-token": token },
  });

describe("GET /inapp/kyc?token=… (the exchange route)", () => {
  it("answers 303 to the clean screen URL with a __Host- session cookie fit for a cross-site iframe", async () => {
    stubRedeem(() => HttpResponse.json(identity(6001)));
    const response = await GET(enter("/api/inapp/enter?screen=status&lang=de", "tok-6001"));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/inapp/kyc/status");
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-kyc_session=[A-Za-z0-9_-]{43};/);
    for (const attribute of ["Path=/", "Secure", "HttpOnly", "SameSite=none", "Partitioned"]) {
      expect(cookie.toLowerCase()).toContain(attribute.toLowerCase());
    }
    expect(cookie.toLowerCase()).not.toContain("domain=");
  });

  it("sends a refused token to the localized expired screen without a cookie", async () => {
    stubRedeem(() => HttpResponse.json({}, { status: 404 }));
    const response = await GET(enter("/api/inapp/enter?screen=kyc&lang=ar&theme=dark", "tok-used"));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(
      "/inapp/expired?reason=expired&lang=ar&theme=dark",
    );
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
      const response = await GET(enter("/api/inapp/enter?screen=kyc", "tok-6002"));
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/inapp/expired?reason=unavailable");
      expect((await health()).status).toBe(503);
    } finally {
      setDatabaseOverride(db());
      await dead.close();
    }
    expect((await health()).status).toBe(200);
  });

  it("answers HEAD (link scanners, prefetch) without spending the token", async () => {
    const seen = stubRedeem(() => HttpResponse.json(identity(6003)));
    expect(HEAD().status).toBe(200);
    expect(seen).toHaveLength(0);
    const response = await GET(enter("/api/inapp/enter?screen=kyc", "tok-6003"));
    expect(response.headers.get("location")).toBe("/inapp/kyc");
  });

  it("ignores a token in the query string of the internal route (only the proxy may hand one over)", async () => {
    const seen = stubRedeem(() => HttpResponse.json(identity(6004)));
    const response = await GET(enter("/api/inapp/enter?screen=kyc&token=tok-6004", undefined));
    expect(response.headers.get("location")).toBe("/inapp/expired?reason=expired");
    expect(seen).toHaveLength(0);
  });
});
