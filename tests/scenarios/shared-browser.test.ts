/**
 * Scenarios: one browser, two sign-ins. The browser holds one session cookie for all its tabs, so
 * after trader B opens the verification from cTrader in the browser where trader A's window is
 * still open (a shared computer, cTrader Web, one person's second cTrader ID), A's window sends
 * B's cookie. Whatever that window still does — an autosave, "Save and continue", the final
 * submit, an upload — must change nothing in B's case (nor A's), and it is told to reload.
 */
import "./support/request-scope";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import en from "@/messages/en.json";
import { PERSONAL } from "../fixtures/kyc-values";
import { ADDRESS, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();
const RELOAD = en.Errors.otherSignIn;

/** A's window stays open while B signs in in the same browser: it now sends B's cookie. */
async function windowLeftOpen(firstUser: number) {
  const w = world();
  const a = new Trader(w, firstUser);
  await a.launch("kyc", { kycType: "standard" });
  expect(await a.autosave("personal", { ...PERSONAL, givenNames: "Alice" }, 0)).toMatchObject({
    status: "saved",
    version: 1,
  });
  const b = new Trader(w, firstUser + 1);
  await b.launch("kyc", { kycType: "standard" });
  for (const [name, value] of b.cookies) a.cookies.set(name, value);
  return { a, b };
}

describe("scenario: a window left open by an earlier sign-in in the same browser", () => {
  it("writes nothing into the new sign-in's case and tells the window to reload", async () => {
    const { a, b } = await windowLeftOpen(990_010);
    const bCase = await b.currentCase();

    expect(
      await a.autosave("personal", { ...PERSONAL, givenNames: "Alice", surnames: "FromA" }, 1),
    ).toEqual({ status: "failed", message: RELOAD, values: expect.any(Object) });
    expect(await a.continue("proof_of_address", ADDRESS())).toEqual({
      value: expect.objectContaining({ status: "failed", message: RELOAD }),
    });
    expect(await a.submit()).toEqual({ value: { status: "error", message: RELOAD } });
    const upload = await a.upload("identity", "page");
    expect(upload).toMatchObject({ status: 409, body: { reason: "other_sign_in" } });

    // B's case has none of it: no answers, no documents.
    expect(await loadStepDrafts(bCase.id)).toEqual({});
    expect(await b.sides("identity")).toEqual([
      expect.objectContaining({ side: "page", state: "missing" }),
    ]);
  });

  it("works again once reloaded, on the case the browser's sign-in now shows", async () => {
    const { a, b } = await windowLeftOpen(990_020);
    // The reload shows B's screens; what is typed there now is B's, in B's case.
    await a.sees("kyc");
    expect(await a.autosave("personal", { ...PERSONAL, givenNames: "Bea" }, 0)).toMatchObject({
      status: "saved",
    });
    const drafts = await loadStepDrafts((await b.currentCase()).id);
    expect(drafts.personal?.values.givenNames).toBe("Bea");
  });
});
