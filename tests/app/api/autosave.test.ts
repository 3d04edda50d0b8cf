/**
 * POST /api/inapp/autosave, the step forms' autosave, on a real database: the trader launches
 * from cTrader and the form's script posts its fields. It goes through the same rules as the
 * form's "Save and continue" (one function, lib/inapp/step-save.ts): the session, the window's
 * sign-in reference and the draft version, and refuses with a reason, never a 500.
 */
import "../../scenarios/support/request-scope";
import { POST as autosaveRoute } from "@/app/api/inapp/autosave/route";
import {
  ABANDONED_SAVE_FIELD,
  SAVE_ID_FIELD,
  STEP_SAVE_REFUSAL_WORDS,
} from "@/lib/inapp/autosave-contract";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import en from "@/messages/en.json";
import { PERSONAL } from "../../fixtures/kyc-values";
import { autosaveRequest, postAutosave } from "../../helpers/autosave";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();
let nextUser = 23_000;

async function launched() {
  const trader = new Trader(world(), nextUser++);
  await trader.launch("kyc", { kycType: "standard" });
  const window = await trader.windowRef({ step: "personal" });
  return { trader, window, caseId: (await trader.currentCase()).id };
}

function personalForm(window: string, draftVersion: number, values: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ...PERSONAL, ...values })) form.append(k, String(v));
  form.set("step", "personal");
  form.set("window", window);
  form.set("draftVersion", String(draftVersion));
  return form;
}

describe("POST /api/inapp/autosave", () => {
  it("saves the draft and answers the version the next autosave carries", async () => {
    const { trader, caseId } = await launched();
    expect(await trader.autosave("personal", { ...PERSONAL, city: "Malmö" }, 0)).toEqual({
      http: 200,
      status: "saved",
      version: 1,
    });
    expect(await trader.autosave("personal", { ...PERSONAL, city: "Lund" }, 1)).toEqual({
      http: 200,
      status: "saved",
      version: 2,
    });
    expect((await loadStepDrafts(caseId)).personal).toMatchObject({
      completed: false,
      version: 2,
      values: { city: "Lund" },
    });
  });

  it("refuses a save typed on an older version (saved meanwhile in another window): 409 stale_draft, nothing written", async () => {
    const { trader, caseId } = await launched();
    await trader.autosave("personal", { ...PERSONAL, city: "Malmö" }, 0);
    expect(await trader.autosave("personal", { ...PERSONAL, city: "Old" }, 0)).toMatchObject({
      http: 409,
      reason: "stale_draft",
    });
    expect((await loadStepDrafts(caseId)).personal).toMatchObject({
      version: 1,
      values: { city: "Malmö" },
    });
  });

  it("refuses what Save and continue refuses, and the one mapping words both alike", async () => {
    const { trader } = await launched();
    await trader.autosave("personal", { ...PERSONAL, city: "Malmö" }, 0);
    const autosaved = await trader.autosave("personal", PERSONAL, 0);
    const continued = await trader.continue("personal", PERSONAL, 0);
    expect(autosaved).toMatchObject({ http: 409, reason: "stale_draft" });
    expect(continued).toEqual({
      value: expect.objectContaining({
        status: "stale",
        message: en.Errors[STEP_SAVE_REFUSAL_WORDS.stale_draft],
      }),
    });
  });

  it("refuses a window of another sign-in, or one naming none: 409 other_sign_in, nothing written", async () => {
    const { trader, window, caseId } = await launched();
    const other = await launched();
    const forged = personalForm(other.window, 0, { city: "Forged" });
    expect(await trader.act(() => postAutosave(forged))).toMatchObject({
      http: 409,
      reason: "other_sign_in",
    });
    const none = personalForm(window, 0, { city: "None" });
    none.delete("window");
    expect(await trader.act(() => postAutosave(none))).toMatchObject({
      http: 409,
      reason: "other_sign_in",
    });
    expect((await loadStepDrafts(caseId)).personal).toBeUndefined();
  });

  it("lets Save and continue go on over the autosave it abandoned, if that save landed", async () => {
    const { trader, window, caseId } = await launched();
    await trader.autosave("personal", { ...PERSONAL, city: "Malmö" }, 0);
    // The form's autosave on version 1, which the submit stopped waiting for; it did land.
    const abandoned = "a".repeat(32);
    const held = personalForm(window, 1, { city: "Lund" });
    held.set(SAVE_ID_FIELD, abandoned);
    expect(await trader.act(() => postAutosave(held))).toMatchObject({ http: 200, version: 2 });
    // The submit carries the version the form knew (1) and names that save.
    const continued = await trader.continue("personal", {
      ...PERSONAL,
      city: "Uppsala",
      draftVersion: "1",
      [ABANDONED_SAVE_FIELD]: abandoned,
    });
    expect(continued).toEqual({ redirect: expect.any(String) });
    expect((await loadStepDrafts(caseId)).personal).toMatchObject({
      completed: true,
      version: 3,
      values: { city: "Uppsala" },
    });
  });

  it("lets Save and continue go on over its abandoned first save of a step (version 0)", async () => {
    const { trader, window, caseId } = await launched();
    const abandoned = "b".repeat(32);
    const held = personalForm(window, 0, { city: "Lund" });
    held.set(SAVE_ID_FIELD, abandoned);
    expect(await trader.act(() => postAutosave(held))).toMatchObject({ http: 200, version: 1 });
    const continued = await trader.continue("personal", {
      ...PERSONAL,
      draftVersion: "0",
      [ABANDONED_SAVE_FIELD]: abandoned,
    });
    expect(continued).toEqual({ redirect: expect.any(String) });
    expect((await loadStepDrafts(caseId)).personal).toMatchObject({ completed: true, version: 2 });
  });

  it("still refuses a submit as stale when another save came after the abandoned one, or another save instead", async () => {
    const { trader, window, caseId } = await launched();
    await trader.autosave("personal", { ...PERSONAL, city: "Malmö" }, 0);
    const abandoned = "c".repeat(32);
    const held = personalForm(window, 1, { city: "Lund" });
    held.set(SAVE_ID_FIELD, abandoned);
    await trader.act(() => postAutosave(held));
    // Another window saves over the abandoned save's version.
    await trader.autosave("personal", { ...PERSONAL, city: "Other" }, 2);
    const stale = { value: expect.objectContaining({ status: "stale" }) };
    const submit = (named: string) =>
      trader.continue("personal", {
        ...PERSONAL,
        draftVersion: "1",
        [ABANDONED_SAVE_FIELD]: named,
      });
    expect(await submit(abandoned)).toEqual(stale);
    // Naming a save that is not the one that made the current version changes nothing either.
    const other = await launched();
    await other.trader.autosave("personal", PERSONAL, 0);
    const stranger = personalForm(other.window, 1, { city: "Other window" });
    stranger.set(SAVE_ID_FIELD, "d".repeat(32));
    await other.trader.act(() => postAutosave(stranger));
    expect(
      await other.trader.continue("personal", {
        ...PERSONAL,
        draftVersion: "1",
        [ABANDONED_SAVE_FIELD]: "e".repeat(32),
      }),
    ).toEqual(stale);
    expect((await loadStepDrafts(caseId)).personal).toMatchObject({
      version: 3,
      values: { city: "Other" },
    });
  });

  it("refuses a browser without a live session: 401 session_expired", async () => {
    const { window } = await launched();
    const stranger = new Trader(world(), nextUser++);
    expect(await stranger.act(() => postAutosave(personalForm(window, 0)))).toMatchObject({
      http: 401,
      reason: "session_expired",
    });
  });

  it("refuses cross-site, non-JSON, malformed and forged requests with a reason, never a 500, writing nothing", async () => {
    const { trader, window, caseId } = await launched();
    const form = personalForm(window, 0);
    const answer = async (request: Request) =>
      trader.act(async () => {
        const response = await autosaveRoute(request);
        return { http: response.status, ...((await response.json()) as { reason?: string }) };
      });
    expect(await answer(autosaveRequest(form, { "sec-fetch-site": "cross-site" }))).toMatchObject({
      http: 403,
      reason: "cross_site",
    });
    expect(await answer(autosaveRequest(form, { origin: "https://evil.test" }))).toMatchObject({
      http: 403,
      reason: "cross_site",
    });
    expect(await answer(autosaveRequest(form, { "content-type": "text/plain" }))).toMatchObject({
      http: 415,
      reason: "unsupported_media_type",
    });
    expect(await answer(autosaveRequest(form, {}, "{"))).toMatchObject({
      http: 400,
      reason: "bad_request",
    });
    expect(
      await answer(autosaveRequest(form, {}, JSON.stringify({ fields: { step: "personal" } }))),
    ).toMatchObject({ http: 400, reason: "bad_request" });
    expect(
      await answer(
        autosaveRequest(form, {}, JSON.stringify({ fields: [["x".repeat(70_000), ""]] })),
      ),
    ).toMatchObject({ http: 413, reason: "request_too_large" });
    const forgedStep = personalForm(window, 0);
    forgedStep.set("step", "../../admin");
    expect(await trader.act(() => postAutosave(forgedStep))).toMatchObject({
      http: 400,
      reason: "bad_request",
    });
    expect((await loadStepDrafts(caseId)).personal).toBeUndefined();
  });
});
