/**
 * Behind a transaction pooler (DATABASE_POOLER=transaction) a LISTEN never hears a NOTIFY, so the
 * live status stream is refused as unavailable and the status screen polls instead.
 */
import "../../scenarios/support/request-scope";
import { GET as stream } from "@/app/api/inapp/status/stream/route";
import { GET as status } from "@/app/api/inapp/status/route";
import { Trader } from "../../scenarios/support/people";
import { BROKER, scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld({ DATABASE_POOLER: "transaction" });

const get = (url: string) =>
  new Request(new URL(url, BROKER), {
    headers: { host: "broker.test", "sec-fetch-site": "same-origin" },
  });

describe("live status behind a transaction pooler", () => {
  it("refuses the stream as unavailable (the screen then polls), and the polled status answers", async () => {
    const trader = new Trader(world(), 550_001);
    await trader.launch("status");
    const refused = await trader.act(() => stream(get("/api/inapp/status/stream")));
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ reason: "unavailable" });
    const polled = await trader.act(() => status(get("/api/inapp/status")));
    expect(polled.status).toBe(200);
    expect(await polled.json()).toMatchObject({ status: "draft" });
  });
});
