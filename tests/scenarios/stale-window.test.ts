/**
 * Scenarios: two windows of one sign-in (a phone and a desktop, two tabs). What one saved is
 * never silently replaced by the other's older form: a "Save and continue" carries the draft
 * version its form was rendered with, and one typed on an older version writes nothing and says
 * so, keeping what was typed.
 */
import "./support/request-scope";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import en from "@/messages/en.json";
import { PERSONAL } from "../fixtures/kyc-values";
import { Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: a window left on an older version of a step", () => {
  it("does not let its Save and continue overwrite the answers saved since in another window", async () => {
    const trader = new Trader(world(), 990_002);
    await trader.launch("kyc", { kycType: "standard" });
    // Window 1 (the phone) renders the step at version 0 and autosaves one field: version 1.
    expect(await trader.autosave("personal", { ...PERSONAL, city: "Old" }, 0)).toMatchObject({
      status: "saved",
      version: 1,
    });
    // Window 2 (the desktop) renders the step at version 1 and completes it.
    expect(await trader.continue("personal", { ...PERSONAL, city: "Stockholm" }, 1)).toEqual({
      redirect: "/inapp/kyc",
    });
    // Window 1, still on version 1, presses "Save and continue".
    const stale = await trader.continue("personal", { ...PERSONAL, city: "Old" }, 1);
    expect(stale).toEqual({
      value: {
        status: "stale",
        message: en.Errors.staleDraft,
        values: expect.objectContaining({ city: "Old" }),
      },
    });
    const drafts = await loadStepDrafts((await trader.currentCase()).id);
    expect(drafts.personal).toMatchObject({ completed: true, values: { city: "Stockholm" } });
  });
});
