/**
 * The development cTrader simulator answers as cTrader's host would: its redeem as the contract
 * describes, and a path it does not serve as a web server's 404, so that a wrong redeem path shows
 * in development as the operator's error, as it would against cTrader.
 */
import {
  handleSimulatorRequest,
  mintSimulatorToken,
  simulatorRedeemer,
} from "@/lib/dev/ctrader-simulator";
import { captureLogs } from "../../helpers/log-capture";
import { setTestEnv } from "../../helpers/env";

const simulator = { CTRADER_API_URL: undefined, CTRADER_MANAGER_TOKEN: undefined };

afterAll(() => setTestEnv());

describe("the cTrader simulator", () => {
  it("redeems a token it issued once, and reads an unknown token as expired", async () => {
    setTestEnv(simulator);
    const token = mintSimulatorToken(1001);
    expect(await simulatorRedeemer().redeem(token)).toMatchObject({
      ok: true,
      identity: { userId: 1001 },
    });
    expect(await simulatorRedeemer().redeem(token)).toEqual({
      ok: false,
      reason: "not_found",
      status: 404,
    });
  });

  it("answers a wrong redeem path as a wrong URL would: the operator's error, not an expired link", async () => {
    setTestEnv({ ...simulator, CTRADER_REDEEM_PATH: "/cid/ctid2/inAppToken/redeem" });
    const logs = captureLogs();
    let result;
    try {
      result = await simulatorRedeemer().redeem(mintSimulatorToken(1001));
    } finally {
      logs.stop();
    }
    expect(result).toEqual({ ok: false, reason: "upstream_error", status: 404 });
    expect(logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: "error", event: "ctrader.redeem.misconfigured" }),
    );
  });

  it("serves only its own paths, with a web server's HTML 404 for any other", async () => {
    const answer = await handleSimulatorRequest(
      new Request("http://localhost/api/dev/ctrader/v2/ctid2/inAppToken/redeem?token=x", {
        method: "POST",
        body: JSON.stringify({ token: "t" }),
      }),
    );
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
    const text = await answer.text();
    expect(() => JSON.parse(text)).toThrow();
  });
});
