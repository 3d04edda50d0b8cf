import "../../scenarios/support/request-scope";
import { sql } from "drizzle-orm";
import en from "@/messages/en.json";
import { caseDrafts } from "@/lib/db/schema";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { continueStep } from "@/app/inapp/kyc/actions";
import { postAutosave } from "../../helpers/autosave";
import { setTraderCookie, TRADER_COOKIE } from "../../helpers/request-scope";
import { Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";
import { currentWindowRef } from "../../helpers/sessions";

const continuePersonalStep = (previous: Parameters<typeof continueStep>[0], f: FormData) => {
  f.set("step", "personal");
  return continueStep(previous, f);
};
/**
 * An autosave as the browser sends it: with the draft version the form was rendered with (what
 * the page shows now), unless the test posts an older one on purpose.
 */
let currentCaseId = "";
const autosavePersonalStep = async (f: FormData) => {
  f.set("step", "personal");
  if (!f.has("draftVersion"))
    f.set("draftVersion", String((await loadStepDrafts(currentCaseId)).personal?.version ?? 0));
  return postAutosave(f);
};

const world = scenarioWorld();

let nextUser = 21_000;
/** cTrader opens the KYC screen: the session its launch set is the browser's cookie. */
async function traderWithSession() {
  const trader = new Trader(world(), nextUser++);
  await trader.launch("kyc", { kycType: "standard" });
  const sessionId = trader.cookies.get(TRADER_COOKIE)!;
  setTraderCookie(sessionId);
  const kycCase = await trader.currentCase();
  currentCaseId = kycCase.id;
  return { trader, kycCase, sessionId };
}

const VALID: Record<string, string | string[]> = {
  givenNames: "Zofia Anna",
  surnames: "Kowalczyk",
  dateOfBirth: "1985-07-19",
  placeOfBirth: "Kraków",
  countryOfBirth: "PL",
  nationalities: ["PL"],
  addressLine1: "ul. Długa 12/4",
  city: "Gdańsk",
  postcode: "80-827",
  country: "PL",
  phone: "+48 512 345 678",
  email: "zofia@example.com",
};
function form(values: Record<string, string | string[]>): FormData {
  const f = new FormData();
  f.set("window", currentWindowRef());
  for (const [k, v] of Object.entries(values))
    for (const one of Array.isArray(v) ? v : [v]) f.append(k, one);
  return f;
}
const idle = { status: "idle" } as const;
const draftRows = async (caseId: string) =>
  (await world().db.db.select().from(caseDrafts)).filter((r) => r.caseId === caseId);

describe("personal information step (server actions)", () => {
  it("answers bad input with localized field errors and a summary, and keeps what was typed", async () => {
    const { kycCase } = await traderWithSession();
    const state = await continuePersonalStep(
      idle,
      form({ ...VALID, dateOfBirth: "2015-01-01", postcode: "ABC" }),
    );
    expect(state).toMatchObject({
      status: "invalid",
      errors: { dateOfBirth: en.Errors.underage, postcode: en.Errors.invalidPostcode },
      summary: "2 fields need your attention.",
      values: expect.objectContaining({ givenNames: "Zofia Anna", postcode: "ABC" }),
    });
    const drafts = await loadStepDrafts(kycCase.id);
    expect(drafts.personal).toMatchObject({
      completed: false,
      values: { givenNames: "Zofia Anna", postcode: "ABC" },
    });
  });

  it("completes the step with valid data and returns to the overview", async () => {
    const { kycCase } = await traderWithSession();
    await expect(continuePersonalStep(idle, form(VALID))).rejects.toMatchObject({
      digest: expect.stringContaining("/inapp/kyc"),
    });
    const drafts = await loadStepDrafts(kycCase.id);
    expect(drafts.personal).toMatchObject({
      completed: true,
      // The form shows what was typed; the checked data holds the number in E.164.
      values: { phone: "+48 512 345 678", nationalities: ["PL"] },
      data: { phone: "+48512345678", nationalities: ["PL"] },
    });
  });

  it("stores one record however often the same step is submitted", async () => {
    const { kycCase } = await traderWithSession();
    await autosavePersonalStep(form({ givenNames: "Zofia" }));
    await Promise.allSettled([
      continuePersonalStep(idle, form(VALID)),
      continuePersonalStep(idle, form(VALID)),
    ]);
    const rows = await draftRows(kycCase.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.version).toBe(3);
  });

  it("autosaves an incomplete step without reporting errors", async () => {
    const { kycCase } = await traderWithSession();
    expect(await autosavePersonalStep(form({ givenNames: "Zo" }))).toMatchObject({
      http: 200,
      status: "saved",
    });
    expect((await loadStepDrafts(kycCase.id)).personal?.values).toMatchObject({ givenNames: "Zo" });
  });

  it("lets the trader resume in a new session (another device, later) where they left off", async () => {
    const { trader } = await traderWithSession();
    await autosavePersonalStep(form({ givenNames: "Zofia", city: "Gdańsk" }));
    // cTrader opens the screen again for the same user, in another browser.
    const device = new Trader(world(), trader.userId, "pl");
    await device.launch("kyc", { kycType: "standard" });
    setTraderCookie(device.cookies.get(TRADER_COOKIE));
    expect((await device.currentCase()).id).toBe(currentCaseId);
    expect(
      await autosavePersonalStep(
        form({ givenNames: "Zofia", city: "Gdańsk", surnames: "Kowalczyk" }),
      ),
    ).toMatchObject({ status: "saved" });
    expect((await loadStepDrafts(currentCaseId)).personal?.values).toMatchObject({
      givenNames: "Zofia",
      city: "Gdańsk",
      surnames: "Kowalczyk",
    });
  });

  it("refuses without a session, politely and without a 500", async () => {
    await traderWithSession();
    setTraderCookie(undefined);
    expect(await continuePersonalStep(idle, form(VALID))).toMatchObject({
      status: "failed",
      message: en.Errors.sessionExpired,
    });
  });

  it("refuses changes once the case was submitted", async () => {
    const { kycCase, trader } = await traderWithSession();
    await trader.fillStandardForms();
    await trader.uploadStandardDocuments();
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const submitted = await draftRows(kycCase.id);
    expect(await continuePersonalStep(idle, form(VALID))).toMatchObject({
      status: "failed",
      message: en.Errors.notEditable,
    });
    expect(await draftRows(kycCase.id)).toEqual(submitted);
  });

  it("handles hostile input (huge values, unknown fields, markup) as field errors", async () => {
    const { kycCase } = await traderWithSession();
    const state = await continuePersonalStep(
      idle,
      form({
        ...VALID,
        givenNames: "x".repeat(100_000),
        surnames: "<img src=x onerror=alert(1)>",
        role: "admin",
      }),
    );
    expect(state).toMatchObject({
      status: "invalid",
      errors: { givenNames: en.Errors.tooLong, surnames: en.Errors.invalidCharacters },
    });
    const values = (await loadStepDrafts(kycCase.id)).personal?.values ?? {};
    expect(values).not.toHaveProperty("role");
    expect(String(values.givenNames)).toHaveLength(400);
  });

  it("keeps personal data encrypted at rest: a dump of every table contains none of it", async () => {
    await traderWithSession();
    await expect(continuePersonalStep(idle, form(VALID))).rejects.toBeDefined();
    const tables = [
      "traders",
      "kyc_cases",
      "sessions",
      "sso_one_time_tokens",
      "handoff_redemptions",
      "audit_events",
      "case_events",
      "case_drafts",
    ];
    let dump = "";
    for (const table of tables) {
      const result = (await world().db.db.execute(
        sql.raw(`select coalesce(json_agg(t), '[]'::json)::text as dump from "${table}" t`),
      )) as unknown;
      const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
      dump += JSON.stringify(rows);
    }
    expect(dump).toContain('"v2.'); // the draft is there, encrypted under the case key
    for (const secret of [
      "Zofia",
      "Kowalczyk",
      "1985-07-19",
      "Kraków",
      "Długa",
      "Gdańsk",
      "80-827",
      "512345678",
      "zofia@example.com",
    ]) {
      expect(dump).not.toContain(secret);
    }
  });
});

describe("personal information step: a late autosave never undoes a completed step", () => {
  it("refuses an autosave typed before Save and continue that arrives after it", async () => {
    const { kycCase } = await traderWithSession();
    const typedOn = (await loadStepDrafts(kycCase.id)).personal?.version ?? 0;
    await expect(continuePersonalStep(idle, form(VALID))).rejects.toBeDefined();
    const late = form({ ...VALID, city: "Sop" });
    late.set("draftVersion", String(typedOn));
    expect(await autosavePersonalStep(late)).toMatchObject({ http: 409, reason: "stale_draft" });
    expect((await loadStepDrafts(kycCase.id)).personal).toMatchObject({
      completed: true,
      values: { city: "Gdańsk" },
    });
    expect((await draftRows(kycCase.id))[0]?.completedAt).not.toBeNull();
  });

  it("completes the step when the autosave lands first and Save and continue after it", async () => {
    const { kycCase } = await traderWithSession();
    expect(await autosavePersonalStep(form({ ...VALID, city: "Sop" }))).toMatchObject({
      http: 200,
      status: "saved",
    });
    await expect(continuePersonalStep(idle, form(VALID))).rejects.toBeDefined();
    expect((await loadStepDrafts(kycCase.id)).personal).toMatchObject({
      completed: true,
      values: { city: "Gdańsk" },
    });
  });

  it("writes nothing over an existing draft for an autosave that names no version", async () => {
    const { kycCase } = await traderWithSession();
    await expect(continuePersonalStep(idle, form(VALID))).rejects.toBeDefined();
    const bare = form({ ...VALID, city: "Sop" });
    bare.set("step", "personal");
    expect(await postAutosave(bare)).toMatchObject({ http: 409, reason: "stale_draft" });
    expect((await loadStepDrafts(kycCase.id)).personal?.completed).toBe(true);
  });
});

describe("personal information step: completion", () => {
  it("is completed only by an explicit continue, never by autosave, and an edit must be confirmed again", async () => {
    const { kycCase } = await traderWithSession();
    expect(await autosavePersonalStep(form(VALID))).toMatchObject({
      http: 200,
      status: "saved",
    });
    expect((await loadStepDrafts(kycCase.id)).personal?.completed).toBe(false);
    await expect(continuePersonalStep(idle, form(VALID))).rejects.toBeDefined();
    expect((await loadStepDrafts(kycCase.id)).personal?.completed).toBe(true);
    await autosavePersonalStep(form({ ...VALID, city: "Sopot" }));
    expect((await loadStepDrafts(kycCase.id)).personal).toMatchObject({
      completed: false,
      values: { city: "Sopot" },
    });
  });
});
