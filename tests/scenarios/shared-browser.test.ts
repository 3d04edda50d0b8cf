/**
 * Scenarios: one browser, two sign-ins. The browser holds one session cookie for all its tabs, so
 * after trader B opens the verification from cTrader in the browser where trader A's window is
 * still open (a shared computer, cTrader Web, one person's second cTrader ID), A's window sends
 * B's cookie. Whatever that window still does — an autosave, "Save and continue", the final
 * submit, an upload — must change nothing in B's case (nor A's), and it is told to reload.
 */
import "./support/request-scope";
import { resolveSession } from "@/lib/identity/sessions";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import en from "@/messages/en.json";
import { PERSONAL } from "../fixtures/kyc-values";
import { TRADER_COOKIE } from "../helpers/request-scope";
import { ADDRESS, signedInStaff, Trader } from "./support/people";
import { scenarioWorld, type World } from "./support/world";

const world = scenarioWorld();
const RELOAD = en.Errors.otherSignIn;

/**
 * A's window (any screen of A's sign-in) is open in the browser when B, whose case stands where
 * the test left it, opens the verification there: A's window now sends B's cookie.
 */
async function windowOpenWhenSignedIn(
  w: World,
  firstUser: number,
  b: Trader,
  screen: "kyc" | "status",
) {
  const a = new Trader(w, firstUser);
  await a.launch("kyc", { kycType: "standard" });
  await a.windowRef();
  await b.launch(screen);
  for (const [name, value] of b.cookies) a.cookies.set(name, value);
  return a;
}

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
    ).toMatchObject({ http: 409, reason: "other_sign_in" });
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

  it("cannot sign the new sign-in out with the earlier window's close control; its own window can", async () => {
    const { a, b } = await windowLeftOpen(990_050);
    const bCookie = b.cookies.get(TRADER_COOKIE)!;
    expect(await a.close()).toBe(409);
    // B is still signed in: the cookie is kept and B's screen goes on.
    expect(a.cookies.get(TRADER_COOKIE)).toBe(bCookie);
    expect(await resolveSession(bCookie)).toBeDefined();
    expect(await b.status()).toBe("draft");

    expect(await b.close()).toBe(204);
    expect(b.cookies.get(TRADER_COOKIE)).toBe("");
    expect(await resolveSession(bCookie)).toBeUndefined();
  });

  it("cannot reopen the new sign-in's rejected case with the earlier window's Try again", async () => {
    const w = world();
    const b = new Trader(w, 990_031);
    await b.completeStandardLevel();
    const bCase = await b.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "shared.reviewer@broker.example", "reviewer");
    expect(await reviewer.reject(bCase.id, "document_unreadable")).toBe("rejected_retry");
    const rejected = (await b.currentCase()).status;

    const a = await windowOpenWhenSignedIn(w, 990_030, b, "kyc");
    expect(await a.retry()).toEqual({ value: { status: "error", message: RELOAD } });
    expect((await b.currentCase()).status).toBe(rejected);
    // B's own window goes on.
    expect(await b.retry()).toEqual({ redirect: "/inapp/kyc" });
    expect((await b.currentCase()).status).not.toBe(rejected);
  });

  it("cannot renew the new sign-in's expired verification from the earlier window", async () => {
    const w = world();
    const b = new Trader(w, 990_041);
    await b.completeStandardLevel();
    await w.worker();
    const bCase = await b.currentCase();
    const reviewer = await signedInStaff(w, "shared.approver@broker.example", "reviewer");
    expect(await reviewer.approve(bCase.id)).toBe("approved");
    // The fixture's passport expires on 2031-05-01: the sweep on that day expires the case.
    await w.worker(new Date("2031-05-01T00:00:00Z"));
    expect((await b.currentCase()).status).toBe("expired");

    const a = await windowOpenWhenSignedIn(w, 990_040, b, "status");
    expect(await a.renew()).toEqual({ value: { status: "error", message: RELOAD } });
    expect((await b.currentCase()).status).toBe("expired");
    expect(await b.renew()).toEqual({ redirect: "/inapp/kyc?step=identity_document" });
    expect((await b.currentCase()).status).toBe("draft");
  });
});
