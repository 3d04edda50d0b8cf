/**
 * The step screens as the trader's browser gets them: every form of the enhanced level, which
 * between them use every kind of field (choices, lists, countries, a group's rows), renders
 * without a React warning about list keys. A child without its key is matched to the wrong one
 * when the list changes, and the warning buried real problems in the test logs.
 */
import "../../scenarios/support/request-scope";
import { getLevel } from "@/lib/kyc/levels";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();

describe("step forms", () => {
  afterEach(() => jest.restoreAllMocks());

  it("render every step of the enhanced level without a React key warning", async () => {
    const trader = new Trader(world(), 22_501);
    await trader.launch("kyc", { kycType: "enhanced" });
    const logged = jest.spyOn(console, "error");
    for (const step of getLevel("enhanced").steps) {
      const html = await trader.html("kyc", { step });
      expect(html).toMatch(/data-testid="(step-form|personal-form)"/);
    }
    const keyWarnings = logged.mock.calls.filter((call) => /unique "key"/.test(String(call[0])));
    expect(keyWarnings).toEqual([]);
  });
});
