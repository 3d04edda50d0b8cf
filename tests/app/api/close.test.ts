/**
 * The close control ends the session it closes (its beacon posts here): the same cookie then
 * opens nothing. A cross-site page cannot end a trader's session, nor can a beacon that does not
 * name the session's window (tests/scenarios/shared-browser.test.ts: an earlier sign-in's tab).
 */
import "../../scenarios/support/request-scope";
import { resolveSession } from "@/lib/identity/sessions";
import { POST as close } from "@/app/api/inapp/close/route";
import { GET as status } from "@/app/api/inapp/status/route";
import { captureLogs } from "../../helpers/log-capture";
import { jar, setTraderCookie, TRADER_COOKIE } from "../../helpers/request-scope";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();

let nextUser = 93_000;
/** cTrader opens the KYC screen: the session its launch set is the browser's cookie. */
async function session() {
  const trader = new Trader(world(), nextUser++);
  await trader.launch("kyc", { kycType: "standard" });
  const id = trader.cookies.get(TRADER_COOKIE)!;
  const window = await trader.windowRef();
  setTraderCookie(id);
  return { id, window };
}

const beacon = (headers: Record<string, string>, body?: URLSearchParams) =>
  close(new Request("https://broker.test/api/inapp/close", { method: "POST", headers, body }));

const SAME_ORIGIN = { origin: "https://broker.test", host: "broker.test" };

describe("close control", () => {
  it("ends the session and clears the cookie", async () => {
    const { id, window } = await session();
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(200);
    // What sendBeacon sends: the window's reference as a url-encoded field.
    const response = await beacon(
      { ...SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded;charset=UTF-8" },
      new URLSearchParams({ window }),
    );
    expect(response.status).toBe(204);
    expect(await resolveSession(id)).toBeUndefined();
    expect(jar.get(TRADER_COOKIE)).toBe("");
    setTraderCookie(id); // a webview that kept the old cookie
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(401);
  });

  it("refuses a cross-site beacon and keeps the session", async () => {
    const { id, window } = await session();
    const named = { "x-kyc-window": window };
    expect(
      (await beacon({ ...named, origin: "https://evil.test", host: "broker.test" })).status,
    ).toBe(403);
    expect((await beacon({ ...named, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await resolveSession(id)).toBeDefined();
  });

  it("refuses a beacon that does not name the session's window and keeps the session", async () => {
    const { id } = await session();
    const form = { ...SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded" };
    for (const answer of [
      await beacon(SAME_ORIGIN),
      await beacon(form, new URLSearchParams({ window: "not-this-one" })),
      await beacon({ ...SAME_ORIGIN, "x-kyc-window": "" }),
    ]) {
      expect(answer.status).toBe(409);
      expect(await answer.json()).toMatchObject({ reason: "other_sign_in" });
    }
    expect(await resolveSession(id)).toBeDefined();
    expect(jar.get(TRADER_COOKIE)).toBe(id);
  });

  it("logs a refused beacon (the window still closes, so only the log tells it apart)", async () => {
    const { id } = await session();
    const logs = captureLogs();
    try {
      expect((await beacon({ ...SAME_ORIGIN, "x-kyc-window": "not-this-one" })).status).toBe(409);
    } finally {
      logs.stop();
    }
    const refused = logs.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.event === "session.close_refused");
    expect(refused).toEqual([expect.objectContaining({ level: "warn", reason: "other_sign_in" })]);
    expect(logs.lines.join("\n")).not.toContain(id);
    expect(await resolveSession(id)).toBeDefined();
  });

  it("takes the reference as a header too", async () => {
    const { id, window } = await session();
    expect((await beacon({ ...SAME_ORIGIN, "x-kyc-window": window })).status).toBe(204);
    expect(await resolveSession(id)).toBeUndefined();
  });

  it("answers 204 without a session", async () => {
    setTraderCookie(undefined);
    expect((await beacon(SAME_ORIGIN)).status).toBe(204);
  });
});
