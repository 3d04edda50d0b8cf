import { isSameOrigin } from "@/lib/http/origin";
import { setTestEnv } from "../../helpers/env";

const post = (origin: string, host = "127.0.0.1:3000") =>
  new Request(`http://${host}/api/inapp/documents`, {
    method: "POST",
    headers: { origin, host },
  });

afterAll(() => setTestEnv());

describe("same-origin check", () => {
  it("accepts PUBLIC_BASE_URL's origin only, whatever Host or X-Forwarded-Host say", () => {
    setTestEnv({ PUBLIC_BASE_URL: "https://kyc.broker.example" });
    expect(isSameOrigin(post("https://kyc.broker.example", "kyc.broker.example"))).toBe(true);
    expect(isSameOrigin(post("https://evil.example", "evil.example"))).toBe(false);
    const forwarded = new Request("https://kyc.broker.example/api/inapp/documents", {
      method: "POST",
      headers: { origin: "https://evil.example", "x-forwarded-host": "evil.example" },
    });
    expect(isSameOrigin(forwarded)).toBe(false);
  });

  it("counts the other loopback name as ours only while the simulator frames the screens", () => {
    // The tests' default configuration names a cTrader backend: no simulator.
    setTestEnv({ PUBLIC_BASE_URL: "http://127.0.0.1:3000" });
    expect(isSameOrigin(post("http://127.0.0.1:3000"))).toBe(true);
    expect(isSameOrigin(post("http://localhost:3000"))).toBe(false);
    setTestEnv({
      PUBLIC_BASE_URL: "http://127.0.0.1:3000",
      CTRADER_API_URL: undefined,
      CTRADER_MANAGER_TOKEN: undefined,
    });
    expect(isSameOrigin(post("http://localhost:3000"))).toBe(true);
    expect(isSameOrigin(post("http://localhost:3001"))).toBe(false);
    expect(isSameOrigin(post("https://evil.example"))).toBe(false);
  });
});

describe("a form POST under Referrer-Policy: no-referrer (Origin: null)", () => {
  const form = (site: string | null) =>
    new Request("https://kyc.broker.example/api/inapp/handoff/redeem", {
      method: "POST",
      headers: { origin: "null", ...(site ? { "sec-fetch-site": site } : {}) },
    });

  it("is ours when the browser says same-origin, and refused otherwise", () => {
    setTestEnv({ PUBLIC_BASE_URL: "https://kyc.broker.example" });
    expect(isSameOrigin(form("same-origin"))).toBe(true);
    expect(isSameOrigin(form("cross-site"))).toBe(false);
    expect(isSameOrigin(form("same-site"))).toBe(false);
    // A sandboxed or opaque origin without the browser's word: refused.
    expect(isSameOrigin(form(null))).toBe(false);
  });
});
