/**
 * The close control ends the session it closes (its beacon posts here): the same cookie then
 * opens nothing. A cross-site page cannot end a trader's session.
 */
import "../../scenarios/support/request-scope";
import { resolveSession } from "@/lib/identity/sessions";
import { POST as close } from "@/app/api/inapp/close/route";
import { GET as status } from "@/app/api/inapp/status/route";
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
  setTraderCookie(id);
  return id;
}

const beacon = (headers: Record<string, string>) =>
  close(new Request("https://broker.test/api/inapp/close", { method: "POST", headers }));

describe("close control", () => {
  it("ends the session and clears the cookie", async () => {
    const id = await session();
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(200);
    const response = await beacon({ origin: "https://broker.test", host: "broker.test" });
    expect(response.status).toBe(204);
    expect(await resolveSession(id)).toBeUndefined();
    expect(jar.get(TRADER_COOKIE)).toBe("");
    setTraderCookie(id); // a webview that kept the old cookie
    expect((await status(new Request("https://broker.test/api/inapp/status"))).status).toBe(401);
  });

  it("refuses a cross-site beacon and keeps the session", async () => {
    const id = await session();
    expect((await beacon({ origin: "https://evil.test", host: "broker.test" })).status).toBe(403);
    expect((await beacon({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await resolveSession(id)).toBeDefined();
  });

  it("answers 204 without a session", async () => {
    setTraderCookie(undefined);
    expect((await beacon({ origin: "https://broker.test", host: "broker.test" })).status).toBe(204);
  });
});
