/**
 * The trader's whole flow through the server actions, on a real database: every step of a
 * level, the final submit with its completeness check, and a reviewer's request for more that
 * reopens only what was asked for.
 */
import { sql } from "drizzle-orm";
import en from "@/messages/en.json";
import { caseEvents, documents, kycCases } from "@/lib/db/schema";
import { ensureOpenCase, getCaseForTrader } from "@/lib/db/queries/cases";
import { upsertTrader } from "@/lib/db/queries/traders";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { loadCaseProgress } from "@/lib/kyc/submission";
import { setTraderCookie } from "../../helpers/request-scope";
import { openSession } from "../../helpers/sessions";
import { setTestEnv } from "../../helpers/env";
import { createTestDb, type TestDb } from "../../helpers/test-db";
import { IDENTITY as PASSPORT, PERSONAL } from "../../fixtures/kyc-values";

jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders(),
);
jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextIntlServer(),
);

import { autosaveStep, continueStep, submitCaseAction } from "@/app/inapp/kyc/actions";

let t: TestDb;
beforeAll(async () => {
  setTestEnv();
  t = await createTestDb();
});
afterAll(() => t.close());

let nextUser = 31_000;
async function traderWithSession(level = "standard") {
  const trader = await upsertTrader(
    { ctraderUserId: nextUser++, email: "flow@example.com", tradingLogin: 7 },
    "en",
  );
  const kycCase = await ensureOpenCase(trader.id, level, "manual");
  const { id } = await openSession(trader.id, kycCase.id);
  setTraderCookie(id);
  return { trader, kycCase };
}

function form(step: string, values: Record<string, string | string[]>): FormData {
  const f = new FormData();
  f.set("step", step);
  for (const [k, v] of Object.entries(values))
    for (const one of Array.isArray(v) ? v : [v]) f.append(k, one);
  return f;
}
const idle = { status: "idle" } as const;
const redirectsTo = (path: string) =>
  expect.objectContaining({ digest: expect.stringContaining(path) });

const IDENTITY = { ...PASSPORT, documentKind: "id_card" };
const ADDRESS = {
  addressDocumentKind: "utility_bill",
  issueDate: new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10),
};

async function acceptedDocument(
  caseId: string,
  documentType: string,
  side: string,
  at = new Date(),
) {
  await t.db.insert(documents).values({
    caseId,
    documentType,
    side,
    status: "accepted",
    storageKey: `cases/${caseId}/${crypto.randomUUID()}`,
    declaredType: "image/jpeg",
    contentType: "image/jpeg",
    sizeBytes: 1000,
    uploadExpiresAt: new Date(at.getTime() + 300_000),
    confirmedAt: at,
  });
}

async function completeStandardForms() {
  await expect(continueStep(idle, form("personal", PERSONAL))).rejects.toEqual(
    redirectsTo("/inapp/kyc"),
  );
  await expect(continueStep(idle, form("identity_document", IDENTITY))).rejects.toEqual(
    redirectsTo("/inapp/kyc"),
  );
  await expect(continueStep(idle, form("proof_of_address", ADDRESS))).rejects.toEqual(
    redirectsTo("/inapp/kyc"),
  );
}

const submit = (declaration = true) => {
  const f = new FormData();
  if (declaration) f.set("declaration", "yes");
  return submitCaseAction(idle, f);
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

    await acceptedDocument(kycCase.id, "identity", "front");
    await acceptedDocument(kycCase.id, "identity", "back");
    await acceptedDocument(kycCase.id, "address", "page");
    expect(await submit(false)).toEqual({ status: "error", message: en.Kyc.mustConfirm });
    const results = await Promise.allSettled([submit(), submit()]);
    // Both end on the status screen; the case moved once.
    for (const r of results)
      expect(r).toMatchObject({ status: "rejected", reason: redirectsTo("/inapp/kyc/status") });
    const events = (await t.db.select().from(caseEvents)).filter((e) => e.caseId === kycCase.id);
    expect(events.map((e) => e.event)).toEqual(["submit"]);
    const [row] = (await t.db.select().from(kycCases)).filter((c) => c.id === kycCase.id);
    expect(row?.status).toBe("submitted");
    // Submitted answers are frozen.
    expect(await continueStep(idle, form("personal", PERSONAL))).toMatchObject({
      status: "failed",
      message: en.Errors.notEditable,
    });
  });

  it("refuses a step that is not part of the level, or a forged step name, without a 500", async () => {
    await traderWithSession("basic");
    expect(await continueStep(idle, form("proof_of_address", ADDRESS))).toMatchObject({
      status: "failed",
      message: en.Errors.saveFailed,
    });
    expect(await continueStep(idle, form("../../admin", {}))).toMatchObject({
      status: "failed",
      message: en.Errors.saveFailed,
    });
    expect(await autosaveStep(form("tax", { taxCountry: ["DE"] }))).toMatchObject({
      status: "failed",
    });
  });

  it("answers an expired document with a localized field error and keeps the input", async () => {
    await traderWithSession();
    const state = await continueStep(
      idle,
      form("identity_document", { ...IDENTITY, expiryDate: "2020-01-01" }),
    );
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
      continueStep(
        idle,
        form("tax", { taxCountry: ["SE"], tin: ["197802119870"], noTinReason: [""] }),
      ),
    ).rejects.toEqual(redirectsTo("/inapp/kyc"));
    await expect(
      continueStep(idle, form("source_of_funds", { sources: ["salary"] })),
    ).rejects.toEqual(redirectsTo("/inapp/kyc"));
    const novice = {
      experienceYears: "none",
      tradesLastYear: "none",
      qualification: "none",
      leverageMargin: "margin_1000",
      marginCall: "positions_closed",
      riskOfLoss: "lose_quickly",
    };
    const warned = await continueStep(idle, form("appropriateness", novice));
    expect(warned).toMatchObject({
      status: "invalid",
      warning: "notAppropriate",
      errors: { acknowledgeWarning: en.Errors.mustAcknowledge },
    });
    await expect(
      continueStep(idle, form("appropriateness", { ...novice, acknowledgeWarning: "yes" })),
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
    const { trader, kycCase } = await traderWithSession();
    await completeStandardForms();
    const earlier = new Date(Date.now() - 60_000);
    await acceptedDocument(kycCase.id, "identity", "front", earlier);
    await acceptedDocument(kycCase.id, "identity", "back", earlier);
    await acceptedDocument(kycCase.id, "address", "page", earlier);
    await expect(submit()).rejects.toEqual(redirectsTo("/inapp/kyc/status"));
    const staff = { type: "staff" as const, id: "reviewer-1" };
    let current = (await getCaseForTrader(kycCase.id, trader.id))!;
    await changeCaseStatus({ kycCase: current, event: "start_review", actor: staff });
    current = (await getCaseForTrader(kycCase.id, trader.id))!;
    await changeCaseStatus({
      kycCase: current,
      event: "request_action",
      actor: staff,
      messageForTrader: "The bill is from 2019. Please upload a recent one.",
      data: {
        items: [
          { kind: "step", step: "proof_of_address" },
          { kind: "document", documentType: "address", reason: "Too old" },
        ],
      },
    });
    return { trader, kycCase };
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
    expect(await continueStep(idle, form("personal", { ...PERSONAL, city: "Lund" }))).toMatchObject(
      {
        status: "failed",
        message: en.Errors.notEditable,
      },
    );
    expect(await submit()).toEqual({ status: "error", message: en.Kyc.incomplete });

    await expect(continueStep(idle, form("proof_of_address", ADDRESS))).rejects.toEqual(
      redirectsTo("/inapp/kyc"),
    );
    await t.db.execute(
      sql`update documents set replaced_at = now() where case_id = ${kycCase.id} and document_type = 'address'`,
    );
    await acceptedDocument(kycCase.id, "address", "page");
    await expect(submit()).rejects.toEqual(redirectsTo("/inapp/kyc/status"));
    const events = (await t.db.select().from(caseEvents)).filter((e) => e.caseId === kycCase.id);
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
    await continueStep(idle, form("personal", PERSONAL)).catch(() => undefined);
    await continueStep(idle, form("identity_document", IDENTITY)).catch(() => undefined);
    await continueStep(
      idle,
      form("tax", { taxCountry: ["SE"], tin: ["197802119870"], noTinReason: [""] }),
    ).catch(() => undefined);
    await continueStep(
      idle,
      form("pep", {
        isPep: "yes",
        pepRelation: "self",
        pepPosition: "Ambassador to Norway",
        pepCountry: "SE",
      }),
    ).catch(() => undefined);
    const tables = (await t.db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    )) as unknown;
    const names = (Array.isArray(tables) ? tables : (tables as { rows: unknown[] }).rows) as {
      table_name: string;
    }[];
    expect(names.length).toBeGreaterThan(5);
    let dump = "";
    for (const { table_name } of names) {
      const result = (await t.db.execute(
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
