/**
 * Scenarios of the queue's order: an officer sorts by highest risk first or by the latest status
 * change, the choice is kept in the URL, and an order nobody offers falls back to waiting longest
 * first. Cases are made by traders through the real flow, their risk set by the worker's checks
 * and their status changed by the console's actions.
 */
import "./support/request-scope";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

const listed = (html: string) =>
  [...html.matchAll(/<tr[^>]*data-case="([0-9a-f-]{36})"/g)].map((m) => m[1]);

describe("scenario: sorting the queue", () => {
  // Made in this order, so waiting longest first is low, medium, high, low.
  let low = "";
  let medium = "";
  let high = "";
  let lowLater = "";
  beforeAll(async () => {
    const w = world();
    // A document issued by a country that is not the trader's nationality weighs 15 points:
    // medium (10) but not high (30).
    const riskConfig = path.join(w.dataDir, "risk-sort.json");
    writeFileSync(riskConfig, '{"points": {"document_country": {"warn": 15}}}');
    w.configure({ RISK_CONFIG_PATH: riskConfig });
    const made: string[] = [];
    const steps: [number, Record<string, string>][] = [
      [591_001, { documentNumber: "QS5910011" }],
      [591_002, { issuingCountry: "DE" }],
      // The first trader's passport number again: a duplicate document fails, 60 points.
      [591_003, { documentNumber: "QS5910011" }],
      [591_004, {}],
    ];
    for (const [userId, identity] of steps) {
      const trader = new Trader(w, userId);
      await trader.completeStandardLevel({}, identity);
      await w.worker();
      made.push((await trader.currentCase()).id);
    }
    [low, medium, high, lowLater] = made as [string, string, string, string];
  }, 600_000);

  it("lists the highest risk first, then the longest waiting, and keeps the choice in the URL", async () => {
    const reviewer = await signedInStaff(world(), "sort.risk@broker.example", "reviewer");
    const byRisk = await reviewer.queue({ sort: "risk" });
    expect(listed(byRisk)).toEqual([high, medium, low, lowLater]);
    expect(byRisk).toMatch(/<option value="risk" selected="">Highest risk first<\/option>/);
    expect(listed(await reviewer.queue({}))).toEqual([low, medium, high, lowLater]);
    expect(listed(await reviewer.queue({ sort: "risk", risk: "low" }))).toEqual([low, lowLater]);
    // An order the console does not offer is the default one, not an error.
    expect(listed(await reviewer.queue({ sort: "random" }))).toEqual([low, medium, high, lowLater]);
  });

  it("opens a case from the sorted queue whose j / k walk that order, not the default one", async () => {
    const reviewer = await signedInStaff(world(), "sort.walk@broker.example", "reviewer");
    const byRisk = await reviewer.queue({ sort: "risk" });
    // Each case's link carries the queue it was listed in.
    expect(byRisk).toContain(`href="/admin/cases/${medium}?queue=review&amp;sort=risk"`);
    const walk = async (id: string) => {
      const page = await reviewer.casePage(id, { queue: "review", sort: "risk" });
      const link = (rel: string) =>
        new RegExp(`<a[^>]*rel="${rel}"[^>]*data-case="([0-9a-f-]{36})"`).exec(page)?.[1] ?? null;
      return {
        previous: link("prev"),
        next: link("next"),
        back: /data-testid="back-to-queue"/.test(page),
      };
    };
    // Highest risk first: high, medium, low, lowLater (waiting longest first is low, medium, ...).
    expect(await walk(medium)).toEqual({ previous: high, next: low, back: true });
    expect(await walk(high)).toEqual({ previous: null, next: medium, back: true });
    expect(await walk(lowLater)).toEqual({ previous: low, next: null, back: true });
    // Opened without a queue (a link from elsewhere), the case walks its tab oldest first.
    const plain = await reviewer.casePage(medium);
    expect(plain).toMatch(new RegExp(`rel="next"[^>]*data-case="${high}"`));
    expect(plain).toMatch(new RegExp(`rel="prev"[^>]*data-case="${low}"`));
  });

  it("lists the latest status change first", async () => {
    const reviewer = await signedInStaff(world(), "sort.updated@broker.example", "reviewer");
    // The reviewer asks each trader for something, in an order unlike the queue's.
    for (const id of [high, low, lowLater, medium])
      expect(
        await reviewer.requestInformation(id, ["document:identity"], "A sharper photo, please."),
      ).toBe("action_requested");
    const waiting = { queue: "waiting" };
    expect(listed(await reviewer.queue({ ...waiting, sort: "updated" }))).toEqual([
      medium,
      lowLater,
      low,
      high,
    ]);
    expect(listed(await reviewer.queue(waiting))).toEqual([low, medium, high, lowLater]);
    expect(listed(await reviewer.queue({ ...waiting, sort: "newest" }))).toEqual([
      lowLater,
      high,
      medium,
      low,
    ]);
  });
});
