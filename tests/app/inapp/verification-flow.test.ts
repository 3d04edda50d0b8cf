/**
 * The trader's whole flow through the server actions, on a real database: every step of a
 * level, the final submit with its completeness check, and a reviewer's request for more that
 * reopens only what was asked for. The trader launches from cTrader and uploads through the
 * upload API the upload screen calls; the reviewer acts in the console.
 */
import "../../scenarios/support/request-scope";
import { sql } from "drizzle-orm";
import en from "@/messages/en.json";
import { caseEvents, kycCases } from "@/lib/db/schema";
import { loadCaseProgress } from "@/lib/kyc/submission";
import { IDENTITY as PASSPORT, PERSONAL } from "../../fixtures/kyc-values";
import { signedInStaff, Trader } from "../../scenarios/support/people";
import { scenarioWorld } from "../../scenarios/support/world";
import { continueStep, submitCaseAction } from "@/app/inapp/kyc/actions";
import { postAutosave } from "../../helpers/autosave";
import { currentWindowRef } from "../../helpers/sessions";

const world = scenarioWorld();
/** Reads for the assertions only: every state below comes from the flows themselves. */
const db = () => world().db.db;

let nextUser = 31_000;
/** The trader of the running test: the actions below run in this browser, with its cookie. */
let browser: Trader;
async function traderWithSession(level = "standard") {
  browser = new Trader(world(), nextUser++);
  await browser.launch("kyc", { kycType: level });
  return { kycCase: await browser.currentCase() };
}

function form(step: string, values: Record<string, string | string[]>): FormData {
  const f = new FormData();
  f.set("step", step);
  f.set("window", currentWindowRef(browser.cookies));
  for (const [k, v] of Object.entries(values))
    for (const one of Array.isArray(v) ? v : [v]) f.append(k, one);
  return f;
}
const idle = { status: "idle" } as const;
const redirectsTo = (path: string) =>
  expect.objectContaining({ digest: expect.stringContaining(path) });

/** "Save and continue" on a step's form, and its autosave, as the trader's browser sends them. */
const saveStep = (step: string, values: Record<string, string | string[]>) =>
  browser.act(() => continueStep(idle, form(step, values)));
const autosave = (step: string, values: Record<string, string | string[]>) =>
  browser.act(() => postAutosave(form(step, values)));

const IDENTITY = { ...PASSPORT, documentKind: "id_card" };
const ADDRESS = {
  addressDocumentKind: "utility_bill",
  issueDate: new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10),
};

/** The upload screen's start, storage POST and confirm; the file is accepted. */
async function uploadAccepted(
  documentType: "identity" | "address",
  side: "page" | "front" | "back",
) {
  expect(await browser.upload(documentType, side)).toMatchObject({
    status: 200,
    body: { state: "accepted" },
  });
}

async function completeStandardForms() {
  await expect(saveStep("personal", PERSONAL)).rejects.toEqual(redirectsTo("/inapp/kyc"));
  await expect(saveStep("identity_document", IDENTITY)).rejects.toEqual(redirectsTo("/inapp/kyc"));
  await expect(saveStep("proof_of_address", ADDRESS)).rejects.toEqual(redirectsTo("/inapp/kyc"));
}

const submit = (declaration = true) => {
  const f = new FormData();
  f.set("window", currentWindowRef(browser.cookies));
  if (declaration) f.set("declaration", "yes");
  return browser.act(() => submitCaseAction(idle, f));
};

describe("standard level: steps, documents and the final submit", () => {
  it("refuses to submit until every step and document is done, then submits once", async () => {
    const { kycCase } = await traderWithSession();
    expect(await submit()).toEqual({ status: "error", message: en.Kyc.incomplete });
    await completeStandardForms();
    // Forms done, documents missing: an ID card needs both sides.
    const before = await loadCaseProgress(kycCase);
    expect(before.requirements.complete).toBe(false);
    expect(
      before.requirements.steps.find((s) => s.step === "identity_document")?.documents,
    ).toEqual([
      expect.objectContaining({ side: "front", state: "missing" }),
      expect.objectContaining({ side: "back", state: "missing" }),
    ]);
    expect(await submit()).toEqual({ status: "error", message: en.Kyc.incomplete });

    await uploadAccepted("identity", "front");
    await uploadAccepted("identity", "back");
    await uploadAccepted("address", "page");
    expect(await submit(false)).toEqual({ status: "error", message: en.Kyc.mustConfirm });
    const results = await Promise.allSettled([submit(), submit()]);
    // Both end on the status screen; the case moved once.
    for (const r of results)
      expect(r).toMatchObject({ status: "rejected", reason: redirectsTo("/inapp/kyc/status") });
    const events = (await db().select().from(caseEvents)).filter((e) => e.caseId === kycCase.id);
    expect(events.map((e) => e.event)).toEqual(["submit"]);
    const [row] = (await db().select().from(kycCases)).filter((c) => c.id === kycCase.id);
    expect(row?.status).toBe("submitted");
    // Submitted answers are frozen.
    expect(await saveStep("personal", PERSONAL)).toMatchObject({
      status: "failed",
      message: en.Errors.notEditable,
    });
  });

  it("refuses a step that is not part of the level, or a forged step name, without a 500", async () => {
    await traderWithSession("basic");
    expect(await saveStep("proof_of_address", ADDRESS)).toMatchObject({
      status: "failed",
      message: en.Errors.saveFailed,
    });
    expect(await saveStep("../../admin", {})).toMatchObject({
      status: "failed",
      message: en.Errors.saveFailed,
    });
    expect(await autosave("tax", { taxCountry: ["DE"] })).toMatchObject({
      http: 400,
      reason: "bad_request",
    });
  });

  it("answers an expired document with a localized field error and keeps the input", async () => {
    await traderWithSession();
    const state = await saveStep("identity_document", { ...IDENTITY, expiryDate: "2020-01-01" });
    expect(state).toMatchObject({
      status: "invalid",
      errors: { expiryDate: en.Errors.documentExpired },
      values: expect.objectContaining({ documentNumber: "AB7781234" }),
    });
  });
});

describe("enhanced level", () => {
  it("collects tax, funds, employment, purpose, PEP and the appropriateness warning", async () => {
    const { kycCase } = await traderWithSession("enhanced");
    await expect(
      saveStep("tax", { taxCountry: ["SE"], tin: ["197802119870"], noTinReason: [""] }),
    ).rejects.toEqual(redirectsTo("/inapp/kyc"));
    await expect(saveStep("source_of_funds", { sources: ["salary"] })).rejects.toEqual(
      redirectsTo("/inapp/kyc"),
    );
    const novice = {
      experienceYears: "none",
      tradesLastYear: "none",
      qualification: "none",
      leverageMargin: "margin_1000",
      marginCall: "positions_closed",
      riskOfLoss: "lose_quickly",
    };
    const warned = await saveStep("appropriateness", novice);
    expect(warned).toMatchObject({
      status: "invalid",
      warning: "notAppropriate",
      errors: { acknowledgeWarning: en.Errors.mustAcknowledge },
    });
    await expect(
      saveStep("appropriateness", { ...novice, acknowledgeWarning: "yes" }),
    ).rejects.toEqual(redirectsTo("/inapp/kyc"));
    const { drafts, requirements } = await loadCaseProgress(kycCase);
    expect(drafts.appropriateness?.data).toMatchObject({
      result: "not_appropriate",
      warningAcknowledged: true,
      answers: novice,
    });
    expect(requirements.steps.find((s) => s.step === "source_of_funds")?.documents).toEqual([
      expect.objectContaining({ documentType: "additional", state: "missing" }),
    ]);
  });
});

describe("a reviewer's request for more", () => {
  async function submittedCase() {
    const { kycCase } = await traderWithSession();
    await completeStandardForms();
    await uploadAccepted("identity", "front");
    await uploadAccepted("identity", "back");
    await uploadAccepted("address", "page");
    await expect(submit()).rejects.toEqual(redirectsTo("/inapp/kyc/status"));
    // Acting on the submitted case takes it into review (start_review), then asks for more.
    const reviewer = await signedInStaff(world(), "flow.reviewer@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["step:proof_of_address", "document:address"],
        "The bill is from 2019. Please upload a recent one.",
        { address: "Too old" },
      ),
    ).toBe("action_requested");
    return { kycCase };
  }

  it("reopens only the requested step and document and keeps everything else", async () => {
    const { kycCase } = await submittedCase();
    const { requirements } = await loadCaseProgress({ ...kycCase, status: "action_required" });
    const byStep = Object.fromEntries(requirements.steps.map((s) => [s.step, s]));
    expect(byStep.personal).toMatchObject({ done: true, editable: false, requested: false });
    expect(byStep.identity_document).toMatchObject({ done: true, editable: false });
    expect(byStep.proof_of_address).toMatchObject({ done: false, editable: true, requested: true });
    expect(byStep.proof_of_address?.documents[0]).toMatchObject({
      state: "retake",
      reason: "Too old",
    });
    expect(requirements.next?.step).toBe("proof_of_address");

    // What was not asked for cannot be changed.
    expect(await saveStep("personal", { ...PERSONAL, city: "Lund" })).toMatchObject({
      status: "failed",
      message: en.Errors.notEditable,
    });
    expect(await submit()).toEqual({ status: "error", message: en.Kyc.incomplete });

    await expect(saveStep("proof_of_address", ADDRESS)).rejects.toEqual(redirectsTo("/inapp/kyc"));
    // A new bill for the same slot replaces the one asked for.
    await uploadAccepted("address", "page");
    await expect(submit()).rejects.toEqual(redirectsTo("/inapp/kyc/status"));
    const events = (await db().select().from(caseEvents)).filter((e) => e.caseId === kycCase.id);
    expect(events.map((e) => e.event)).toEqual([
      "submit",
      "start_review",
      "request_action",
      "resubmit",
    ]);
  });
});

describe("encryption at rest", () => {
  it("a dump of every table holds no document number, TIN or name in plain text", async () => {
    await traderWithSession("enhanced");
    await saveStep("personal", PERSONAL).catch(() => undefined);
    await saveStep("identity_document", IDENTITY).catch(() => undefined);
    await saveStep("tax", { taxCountry: ["SE"], tin: ["197802119870"], noTinReason: [""] }).catch(
      () => undefined,
    );
    await saveStep("pep", {
      isPep: "yes",
      pepRelation: "self",
      pepPosition: "Ambassador to Norway",
      pepCountry: "SE",
    }).catch(() => undefined);
    const tables = (await db().execute(
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    )) as unknown;
    const names = (Array.isArray(tables) ? tables : (tables as { rows: unknown[] }).rows) as {
      table_name: string;
    }[];
    expect(names.length).toBeGreaterThan(5);
    let dump = "";
    for (const { table_name } of names) {
      const result = (await db().execute(
        sql.raw(`select coalesce(json_agg(t), '[]'::json)::text as dump from "${table_name}" t`),
      )) as unknown;
      dump += JSON.stringify(Array.isArray(result) ? result : (result as { rows: unknown[] }).rows);
    }
    expect(dump).toContain('"v2.'); // sealed under the case key
    for (const secret of [
      "Lindqvist",
      "AB7781234",
      "197802119870",
      "Ambassador",
      "Storgatan",
      "1979-02-11",
    ])
      expect(dump).not.toContain(secret);
  });
});
