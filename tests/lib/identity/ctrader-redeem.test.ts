import { createCtraderRedeemer } from "@/lib/identity/ctrader-redeem";
import { captureLogs } from "../../helpers/log-capture";
import {
  CTRADER,
  ctraderServer,
  delay,
  http,
  HttpResponse,
  identity,
  listenForCtrader,
  stubRedeem,
  ctraderNotFound,
} from "../../helpers/ctrader-stub";

const OT = "ot-token-SECRET-value-123";
const MANAGER = "manager-SECRET-456";
const redeemer = (api: "redeem" | "legacy" = "redeem", timeoutMs = 5000) =>
  createCtraderRedeemer({ baseUrl: CTRADER, managerToken: MANAGER, api, timeoutMs });

beforeAll(listenForCtrader);
afterEach(() => ctraderServer.resetHandlers());
afterAll(() => ctraderServer.close());

describe("cTrader one-time token redemption", () => {
  it("posts the token as JSON with the manager token in the query and returns the parsed identity", async () => {
    const seen = stubRedeem(() => HttpResponse.json(identity(77)));
    const result = await redeemer().redeem(OT);
    expect(result).toEqual({ ok: true, identity: identity(77) });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url.searchParams.get("token")).toBe(MANAGER);
    expect(seen[0]?.body).toEqual({ token: OT });
  });

  it("calls the configured path under the base (CTRADER_REDEEM_PATH), for either API", async () => {
    const seen: string[] = [];
    ctraderServer.use(
      http.all(`${CTRADER}/cid/*`, ({ request }) => {
        seen.push(`${request.method} ${new URL(request.url).pathname}`);
        return HttpResponse.json(identity(79));
      }),
    );
    for (const [api, path] of [
      ["redeem", "/cid/ctid2/inAppToken/redeem"],
      ["legacy", "/cid/ctid2/inAppOneTimeToken/data"],
    ] as const) {
      const configured = createCtraderRedeemer({
        baseUrl: CTRADER,
        managerToken: MANAGER,
        api,
        path,
        timeoutMs: 5000,
      });
      expect(await configured.redeem(OT)).toEqual({ ok: true, identity: identity(79) });
    }
    expect(seen).toEqual([
      "POST /cid/ctid2/inAppToken/redeem",
      "GET /cid/ctid2/inAppOneTimeToken/data",
    ]);
  });

  it("uses GET /ctid2/inAppOneTimeToken/data behind the same interface in legacy mode", async () => {
    const seen = stubRedeem(() => HttpResponse.json(identity(78)));
    const result = await redeemer("legacy").redeem(OT);
    expect(result).toEqual({ ok: true, identity: identity(78) });
    expect(seen[0]?.method).toBe("GET");
    expect(seen[0]?.url.pathname).toBe("/ctid2/inAppOneTimeToken/data");
    expect(seen[0]?.url.searchParams.get("token")).toBe(MANAGER);
    expect(seen[0]?.url.searchParams.get("oneTimeToken")).toBe(OT);
  });

  it.each([
    [401, "unauthorized"],
    [403, "forbidden"],
    [404, "not_found"],
    [410, "not_found"],
    [417, "not_found"],
    [500, "upstream_error"],
    [502, "upstream_error"],
    [503, "upstream_error"],
    [418, "upstream_error"],
  ])("maps HTTP %i to the refusal reason %s", async (status, reason) => {
    stubRedeem(() =>
      HttpResponse.json({ error: "x", message: "cTrader's words", code: "X" }, { status }),
    );
    expect(await redeemer().redeem(OT)).toEqual({ ok: false, reason, status });
  });

  it.each([
    ["an HTML page", "<html><body>Not Found</body></html>", "text/html"],
    ["an empty body", "", "text/plain"],
    ["JSON that names no error", "{}", "application/json"],
  ])("reads a 404 with %s as not cTrader's answer, at error level", async (_, body, type) => {
    const logs = captureLogs();
    try {
      stubRedeem(() => new HttpResponse(body, { status: 404, headers: { "content-type": type } }));
      expect(await redeemer().redeem(OT)).toEqual({
        ok: false,
        reason: "upstream_error",
        status: 404,
      });
    } finally {
      logs.stop();
    }
    expect(logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: "error", event: "ctrader.redeem.misconfigured" }),
    );
  });

  it.each([
    [410, '{"error":"CID_TOKEN_EXPIRED"}', "application/json"],
    [417, "", "text/plain"],
    [404, '{"error":"CID_NON_EXISTED_TOKEN"}', "application/json"],
  ])(
    "reads %i with %j as cTrader's: the token is spent, not our misconfiguration",
    async (status, body, type) => {
      stubRedeem(() => new HttpResponse(body, { status, headers: { "content-type": type } }));
      expect(await redeemer().redeem(OT)).toEqual({ ok: false, reason: "not_found", status });
    },
  );

  it.each([
    ["absent", {}],
    ["null", { tradingLogin: null }],
    ["Spotware's placeholder 0", { tradingLogin: 0 }],
  ])("takes a user without a trading login (%s), and V1's userId as a string", async (_, login) => {
    stubRedeem(() => HttpResponse.json({ userId: "78", email: "t78@example.com", ...login }));
    expect(await redeemer().redeem(OT)).toEqual({
      ok: true,
      identity: { userId: 78, email: "t78@example.com", tradingLogin: undefined },
    });
  });

  it("gives up after the timeout and says so", async () => {
    let answered = false;
    stubRedeem(async () => {
      await delay(2000);
      answered = true;
      return HttpResponse.json(identity());
    });
    const result = await redeemer("redeem", 150).redeem(OT);
    expect(result).toEqual({ ok: false, reason: "timeout", status: undefined });
    // Given up while cTrader was still holding its answer, not after waiting for it.
    expect(answered).toBe(false);
  });

  it("refuses a body that is not JSON", async () => {
    stubRedeem(
      () =>
        new HttpResponse("<html>oops</html>", {
          status: 200,
          headers: { "content-type": "text/html" },
        }),
    );
    expect(await redeemer().redeem(OT)).toMatchObject({ ok: false, reason: "malformed_response" });
  });

  it.each([
    ["userId as a word", { userId: "u77", email: "a@b.c", tradingLogin: 1 }],
    ["a fractional userId", { userId: 1.5, email: "a@b.c", tradingLogin: 1 }],
    ["email missing", { userId: 7, tradingLogin: 1 }],
    ["tradingLogin as a string", { userId: 7, email: "a@b.c", tradingLogin: "1" }],
    ["a JSON array", [1, 2, 3]],
    ["null", null],
  ])("refuses a response with %s", async (_name, body) => {
    stubRedeem(() => HttpResponse.json(body));
    expect(await redeemer().redeem(OT)).toMatchObject({ ok: false, reason: "malformed_response" });
  });

  it("refuses a huge response body without reading it all", async () => {
    const huge = JSON.stringify({ ...identity(), padding: "x".repeat(5_000_000) });
    stubRedeem(
      () =>
        new HttpResponse(huge, { status: 200, headers: { "content-type": "application/json" } }),
    );
    expect(await redeemer().redeem(OT)).toMatchObject({ ok: false, reason: "response_too_large" });
  });

  it("does not follow redirects", async () => {
    ctraderServer.use(
      (await import("msw")).http.post(
        `${CTRADER}/ctid2/inAppToken/redeem`,
        () =>
          new HttpResponse(null, { status: 302, headers: { location: "https://elsewhere.test/" } }),
      ),
    );
    expect(await redeemer().redeem(OT)).toMatchObject({ ok: false });
  });

  it("reports a network failure as its own reason", async () => {
    stubRedeem(() => HttpResponse.error());
    expect(await redeemer().redeem(OT)).toMatchObject({ ok: false, reason: "network_error" });
  });

  it("never writes the one-time token or the manager token to the log", async () => {
    const logs = captureLogs();
    try {
      stubRedeem(() => ctraderNotFound());
      await redeemer().redeem(OT);
      stubRedeem(() => HttpResponse.json(identity()));
      await redeemer().redeem(OT);
    } finally {
      logs.stop();
    }
    const all = logs.lines.join("\n");
    expect(logs.lines.length).toBeGreaterThanOrEqual(2);
    expect(all).toContain("not_found");
    expect(all).not.toContain(OT);
    expect(all).not.toContain(MANAGER);
  });
});
