/**
 * Scenarios with more than one round: a rejection with a retry reason the trader fixes (only that
 * item), a request for more information the trader answers, the cap on retry rounds, and rounds
 * of re-uploads that never leave a case stuck.
 */
import "./support/request-scope";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { sql } from "drizzle-orm";
import addFormats from "ajv-formats";
import {
  caseEvidenceJsonSchemaText,
  EVIDENCE_FORMAT,
  EVIDENCE_SCHEMA_PATH,
} from "@/lib/review/evidence";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import UploadPage from "@/app/inapp/kyc/upload/page";
import { UploadScreen } from "@/app/inapp/_components/upload/upload-screen";
import type { SideStatus } from "@/lib/documents/upload-contract";
import { propsOf, textOf } from "../helpers/render-page";
import { PERSONAL } from "../fixtures/kyc-values";
import { ADDRESS, signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

/** Ajv (draft 2020-12, strict) on docs/case-evidence.schema.json, as a supervisor's tool would. */
function evidenceValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(
    JSON.parse(readFileSync(path.join(__dirname, "../../docs/case-evidence.schema.json"), "utf8")),
  );
}

describe("scenario: rejected with a retry reason, the trader fixes only that item", () => {
  it("reopens only the proof of address, and the next round is approved", async () => {
    const w = world();
    const trader = new Trader(w, 430_001);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "retry.reviewer@broker.example", "reviewer");
    expect(await reviewer.reject(kycCase.id, "address_proof_invalid", "Bill from 2019")).toBe(
      "rejected_retry",
    );
    await w.worker();

    // The trader reads why, starts again, and can change only what was named.
    await trader.launch("status");
    const { default: en } = await import("@/messages/en.json");
    expect(await trader.sees("status")).toContain(en.RejectReasons.address_proof_invalid);
    expect(await trader.retry()).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.continue("personal", { givenNames: "Someone", surnames: "Else" })).toEqual({
      value: expect.objectContaining({ status: "failed", message: en.Errors.notEditable }),
    });
    expect((await trader.upload("identity")).status).toBe(409);
    expect(await trader.continue("proof_of_address", ADDRESS())).toEqual({
      redirect: "/inapp/kyc",
    });
    expect((await trader.upload("address")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });

    // Round 2's checks run; only then can it be approved.
    expect(await reviewer.approve(kycCase.id)).toBe("error:checks_running");
    await w.worker();
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    expect(await trader.status()).toBe("approved");
    expect(w.crmEventsFor(kycCase.id).map((e) => [e.sequence, e.status])).toEqual([
      [1, "submitted"],
      [2, "in_review"],
      [3, "rejected"],
      [4, "draft"],
      [5, "submitted"],
      [6, "in_review"],
      [7, "approved"],
    ]);
    // The rejection's rights stand while the trader fixes the case and it is in review again:
    // sent again once (the events of one worker pass after the first supersede each other).
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "NO_TRADING" },
      { login: trader.tradingLogin, accessRights: "NO_TRADING" },
      { login: trader.tradingLogin, accessRights: "FULL_ACCESS" },
    ]);
  });
});

describe("scenario: more information requested, the trader answers", () => {
  it("shows the message, takes the new document, and keeps both rounds' answers as evidence", async () => {
    const w = world();
    const trader = new Trader(w, 430_002);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "more.reviewer@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["document:identity", "step:identity_document"],
        "The photo is cut off.\nPlease show all four corners.",
      ),
    ).toBe("action_requested");
    await w.worker();
    expect(w.accountUpdates.filter((u) => u.login === trader.tradingLogin)).toEqual([
      { login: trader.tradingLogin, accessRights: "CLOSE_ONLY" },
    ]);

    await trader.launch("kyc");
    expect(await trader.sees("status")).toContain("The photo is cut off.");
    expect(
      await trader.continue("identity_document", {
        documentKind: "passport",
        documentNumber: "PX4455667",
        issuingCountry: "SE",
        expiryDate: "2032-02-01",
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect((await trader.upload("identity")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();

    expect(w.crmEventsFor(kycCase.id).map((e) => e.status)).toEqual([
      "submitted",
      "in_review",
      "action_required",
      "resubmitted",
      "in_review",
      "approved",
    ]);
    const approver = await signedInStaff(w, "more.approver@broker.example", "approver");
    const exported = (await (await approver.exportEvidence(kycCase.id)).json()) as unknown;
    // A supervisor's tool reads it against the published schema: the real export must pass.
    const validate = evidenceValidator();
    const valid = validate(exported);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const evidence = exported as {
      rounds: {
        round: number;
        answers: { identity_document: { data: { documentNumber: string } } };
      }[];
      documents: { documentType: string; replacedAt: string | null; sha256: string }[];
      checkRuns: { round: number }[];
      audit: { rows: { action: string; hash: string }[]; chainHead: { hash: string } };
    };
    expect(evidence.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(evidence.rounds[1]?.answers.identity_document.data.documentNumber).toBe("PX4455667");
    expect(evidence.rounds[0]?.answers.identity_document.data.documentNumber).not.toBe("PX4455667");
    expect(evidence.documents.filter((d) => d.documentType === "identity")).toHaveLength(2);
    expect(evidence.checkRuns.map((r) => r.round)).toEqual([1, 2]);
    // The export was recorded before it was sent: its own audit row is in it, chained.
    const exportRow = evidence.audit.rows.at(-1);
    expect(exportRow?.action).toBe("case.evidence_exported");
    expect(exportRow?.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("scenario: the proof-of-address step asked again", () => {
  it("asks for the bill again too: new answers never pass on the old bill", async () => {
    const w = world();
    const trader = new Trader(w, 430_006);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    expect((await trader.upload("identity")).status).toBe(200);
    const oldBill = { id: (await trader.upload("address")).documentId! };
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "address.again@broker.example", "reviewer");
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["step:proof_of_address"],
        "That bill is older than three months.",
      ),
    ).toBe("action_requested");

    await trader.launch("kyc");
    expect(await trader.sides("address")).toEqual([
      expect.objectContaining({ side: "page", state: "retake" }),
    ]);
    // New answers about the bill, the old bill still there: the case cannot be sent.
    expect(
      await trader.continue("proof_of_address", {
        addressDocumentKind: "bank_statement",
        issueDate: new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10),
      }),
    ).toEqual({ redirect: "/inapp/kyc" });
    expect(await trader.submit()).not.toEqual({ redirect: "/inapp/kyc/status" });
    expect(await trader.status()).toBe("action_required");

    // The identity document was not asked for and stays as sent.
    expect((await trader.upload("identity")).status).toBe(409);
    expect((await trader.upload("address")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    await w.worker();
    expect(await reviewer.approve(kycCase.id)).toBe("approved");

    const approver = await signedInStaff(w, "address.approver@broker.example", "approver");
    const evidence = (await (await approver.exportEvidence(kycCase.id)).json()) as {
      rounds: { round: number; documentIds: string[] }[];
      documents: { id: string; documentType: string; replacedAt: string | null }[];
    };
    expect(evidence.documents.find((d) => d.id === oldBill.id)?.replacedAt).not.toBeNull();
    const [first, second] = evidence.rounds;
    expect(first?.documentIds).toContain(oldBill.id);
    expect(second?.documentIds).not.toContain(oldBill.id);
  });
});

describe("scenario: the personal step asked again and the address changed", () => {
  async function askPersonalAgain(traderId: number, staffEmail: string) {
    const w = world();
    const trader = new Trader(w, traderId);
    await trader.launch("kyc", { kycType: "standard" });
    await trader.fillStandardForms();
    expect((await trader.upload("identity")).status).toBe(200);
    expect((await trader.upload("address")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, staffEmail, "reviewer");
    expect(
      await reviewer.requestInformation(
        kycCase.id,
        ["step:personal"],
        "Please check your details.",
      ),
    ).toBe("action_requested");
    await trader.launch("kyc");
    return { w, trader };
  }

  it("asks for a bill again once the trader moved: a new address never passes on the old bill", async () => {
    const { trader } = await askPersonalAgain(430_007, "moved.reviewer@broker.example");
    await trader.continue("personal", {
      ...PERSONAL,
      addressLine1: "Kungsgatan 12",
      city: "Göteborg",
      postcode: "411 19",
    });
    expect(await trader.sides("address")).toEqual([
      expect.objectContaining({ side: "page", state: "retake", reason: "address_changed" }),
    ]);
    // The status screen says why, in the trader's language.
    expect(textOf(await trader.html("kyc"))).toContain("Your address changed");
    expect(await trader.submit()).toEqual({
      value: { status: "error", message: expect.stringContaining("still missing") },
    });
    expect(await trader.status()).toBe("action_required");
    expect((await trader.upload("address")).status).toBe(200);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  });

  it("offers the bill's upload on the screen the overview links to once the trader moved", async () => {
    const { trader } = await askPersonalAgain(430_011, "moved.screen@broker.example");
    await trader.continue("personal", {
      ...PERSONAL,
      addressLine1: "Kungsgatan 12",
      city: "Göteborg",
      postcode: "411 19",
    });
    expect(await trader.html("kyc")).toContain('href="/inapp/kyc/upload?documentType=address"');
    // The request named only the personal step: the bill is asked again all the same.
    const screen = await trader.uploadScreen("address");
    expect(screen).not.toContain('data-testid="upload-kept"');
    expect(screen).toContain('data-testid="upload-screen"');
    // The identity document was neither named nor changed: kept as sent.
    expect(await trader.uploadScreen("identity")).toContain('data-testid="upload-kept"');
  });

  it("says in words on every screen why the bill is asked again, never as a code", async () => {
    const { trader } = await askPersonalAgain(430_012, "moved.words@broker.example");
    await trader.continue("personal", {
      ...PERSONAL,
      addressLine1: "Kungsgatan 12",
      city: "Göteborg",
      postcode: "411 19",
    });
    for (const screen of ["kyc", "status"] as const) {
      const text = textOf(await trader.html(screen));
      expect(text).toContain("Your address changed");
      expect(text).not.toContain("address_changed");
    }
    const upload = textOf(await trader.uploadScreen("address"));
    expect(upload).toContain("Your address changed");
    expect(upload).not.toContain("address_changed");
    // The upload screen's client reads the sides again from the API (after an upload, or one
    // finished on the phone): it words the code the API answers the same way.
    const props = await trader.act(() =>
      propsOf(
        UploadPage({ searchParams: Promise.resolve({ documentType: "address" }) }),
        UploadScreen,
      ),
    );
    const refreshed = (await trader.sides("address")) as SideStatus[];
    expect(refreshed).toEqual([expect.objectContaining({ reason: "address_changed" })]);
    const client = textOf(
      renderToStaticMarkup(createElement(UploadScreen, { ...props, sides: refreshed })),
    );
    expect(client).toContain("Your address changed");
    expect(client).not.toContain("address_changed");
  });

  it("keeps the bill when the address is only retyped", async () => {
    const { trader } = await askPersonalAgain(430_008, "same.reviewer@broker.example");
    await trader.continue("personal", {
      ...PERSONAL,
      addressLine1: `  ${PERSONAL.addressLine1.toUpperCase()} `,
    });
    expect(await trader.sides("address")).toEqual([
      expect.objectContaining({ side: "page", state: "accepted" }),
    ]);
    expect((await trader.upload("address")).status).toBe(409);
    expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  });
});

describe("scenario: the cap on retry rounds", () => {
  it("makes the rejection after the last allowed retry final, and tells the trader why", async () => {
    const w = world();
    w.configure({ MAX_RETRY_ROUNDS: "1" });
    try {
      const trader = new Trader(w, 430_003);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "cap.reviewer@broker.example", "reviewer");
      expect(await reviewer.reject(kycCase.id, "document_unreadable")).toBe("rejected_retry");
      await trader.launch("kyc");
      await trader.retry();
      expect((await trader.upload("identity")).status).toBe(200);
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      await w.worker();
      expect(await reviewer.reject(kycCase.id, "document_unreadable")).toBe("rejected_retry_limit");
      const { default: en } = await import("@/messages/en.json");
      const seen = await trader.sees("kyc");
      expect(seen).toContain(en.Kyc.retryLimitReached);
      expect(await trader.retry()).toEqual({ redirect: "/inapp/kyc" });
      expect(await trader.status()).toBe("rejected");
      // A new launch opens no new case.
      await trader.launch("kyc");
      expect((await trader.currentCase()).id).toBe(kycCase.id);
    } finally {
      w.configure({});
    }
  });
});

/**
 * Fault injection: a rejection stored in a shape its schema (lib/kyc/case-event-data.ts) no longer
 * reads, as a renamed key would leave it. No real flow writes one; the readers must fail safe.
 */
async function driftRejection(w: ReturnType<typeof world>, caseId: string, key: "kind" | "items") {
  w.plantedFault(caseId);
  await w.db.db.execute(
    key === "kind"
      ? sql`update case_events set data = (data - 'kind') || jsonb_build_object('outcome', data->'kind')
            where case_id = ${caseId} and event = 'reject'`
      : sql`update case_events set data = jsonb_set(data, '{items}', '[{"kind": "document", "type": "identity"}]')
            where case_id = ${caseId} and event = 'reject'`,
  );
}

describe("scenario: a rejection whose data can no longer be read", () => {
  it("is final to the trader: no retry is offered or taken, and the screens still render", async () => {
    const w = world();
    const trader = new Trader(w, 430_009);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "drift.reviewer@broker.example", "reviewer");
    expect(await reviewer.reject(kycCase.id, "document_unreadable")).toBe("rejected_retry");
    await trader.launch("kyc");
    const { default: en } = await import("@/messages/en.json");
    expect(await trader.sees("kyc")).toContain(en.Kyc.retryAction);

    // Its kind still reads "retry", but what the retry would reopen no longer reads.
    await driftRejection(w, kycCase.id, "items");
    const seen = await trader.sees("kyc");
    expect(seen).toContain(en.Kyc.finalRejection);
    expect(seen).not.toContain(en.Kyc.retryAction);
    expect(await trader.sees("status")).not.toContain(en.Kyc.retryAction);
    await trader.retry();
    expect(await trader.status()).toBe("rejected");
  });

  it("still counts toward the cap on retry rounds", async () => {
    const w = world();
    w.configure({ MAX_RETRY_ROUNDS: "1" });
    try {
      const trader = new Trader(w, 430_010);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "drift.cap@broker.example", "reviewer");
      expect(await reviewer.reject(kycCase.id, "document_unreadable")).toBe("rejected_retry");
      await trader.launch("kyc");
      await trader.retry();
      expect((await trader.upload("identity")).status).toBe(200);
      expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
      await w.worker();

      await driftRejection(w, kycCase.id, "kind");
      expect(await reviewer.reject(kycCase.id, "document_unreadable")).toBe("rejected_retry_limit");
      expect(await trader.retry()).toEqual({ redirect: "/inapp/kyc" });
      expect(await trader.status()).toBe("rejected");
    } finally {
      w.configure({});
    }
  });
});

describe("scenario: rounds of re-uploads never leave the case stuck", () => {
  it("lets the trader replace documents round after round; staff can always act", async () => {
    const w = world();
    w.configure({ UPLOAD_MAX_FILES_PER_CASE: "3" });
    try {
      const trader = new Trader(w, 430_004);
      await trader.completeStandardLevel();
      const kycCase = await trader.currentCase();
      await w.worker();
      const reviewer = await signedInStaff(w, "stuck.reviewer@broker.example", "reviewer");
      for (let round = 1; round <= 3; round++) {
        expect(
          await reviewer.requestInformation(
            kycCase.id,
            ["document:identity", "document:address"],
            `Round ${round}: both documents again, please.`,
          ),
        ).toBe("action_requested");
        // While the case waits on the trader, staff still have a way forward.
        const page = await reviewer.casePage(kycCase.id);
        expect(page).toContain('data-testid="resume-review"');
        expect(page).toContain('data-testid="reject"');
        // Replaced files stay as evidence but no longer count against the limit.
        expect((await trader.upload("identity")).status).toBe(200);
        expect((await trader.upload("address")).status).toBe(200);
        expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
        await w.worker();
      }
      // A case waiting on a trader who stopped answering can be taken back and decided.
      expect(await reviewer.requestInformation(kycCase.id, ["document:address"], "One more.")).toBe(
        "action_requested",
      );
      expect(await reviewer.resumeReview(kycCase.id)).toBe("review_resumed");
      expect(await reviewer.approve(kycCase.id)).toBe("approved");
      expect(textOf(await trader.html("status"))).toContain("Approved");
    } finally {
      w.configure({});
    }
  });
});

describe("scenario: an admin reopens a final rejection given in error", () => {
  it("needs an admin and a reason, is audited, tells the CRM, and the case can be decided again", async () => {
    const w = world();
    const trader = new Trader(w, 430_005);
    await trader.completeStandardLevel();
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "reopen.reviewer@broker.example", "reviewer");
    const admin = await signedInStaff(w, "reopen.admin@broker.example", "admin");
    expect(await reviewer.reject(kycCase.id, "duplicate_account")).toBe("rejected_final");
    expect(await reviewer.reopen(kycCase.id, "Wrong trader, see ticket 4411")).toBe(
      "error:forbidden",
    );
    expect(await admin.reopen(kycCase.id, "short")).toBe("error:reason_required");
    // Reopening undoes a final decision: without the dialog's confirmation nothing changes.
    expect(await admin.reopen(kycCase.id, "Wrong trader, see ticket 4411", false)).toBe(
      "error:confirmation_required",
    );
    expect((await trader.currentCase()).status).toBe("rejected");
    expect(await admin.reopen(kycCase.id, "Wrong trader, see ticket 4411")).toBe("reopened");
    await w.worker();
    expect(w.crmEventsFor(kycCase.id).at(-1)).toMatchObject({
      status: "in_review",
      event: "reopen",
    });
    expect(await reviewer.approve(kycCase.id)).toBe("approved");
    await w.worker();
    await trader.launch("status");
    expect(await trader.status()).toBe("approved");
    const evidence = (await (await admin.exportEvidence(kycCase.id)).json()) as {
      audit: { rows: { action: string; data: { reason?: string } }[] };
    };
    expect(evidence.audit.rows.find((r) => r.action === "case.reopened")?.data.reason).toBe(
      "Wrong trader, see ticket 4411",
    );
  });
});

/**
 * The export's shape (its JSON Schema, descriptions and the format's own value aside) under each
 * format it went out as. A changed shape is a new format (docs/console.md, "Evidence export"):
 * bump EVIDENCE_FORMAT and add its line here; never edit a line already published.
 */
const SHAPES: Record<string, string> = {
  "inapp-kyc.case-evidence.v3": "5df878a506d1c962",
};

function shapeOf(schemaText: string): string {
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([key]) => key !== "description")
              .map(([key, v]) => [key, strip(v)]),
          )
        : value;
  const schema = JSON.parse(schemaText) as { properties: { format: unknown } };
  schema.properties.format = "(the format)";
  return createHash("sha256")
    .update(JSON.stringify(strip(schema)))
    .digest("hex")
    .slice(0, 16);
}

describe("the published evidence JSON Schema", () => {
  it("is the one the zod schema generates today (run npm run docs:schemas when this fails)", () => {
    const published = readFileSync(path.join(__dirname, "../..", EVIDENCE_SCHEMA_PATH), "utf8");
    expect(published).toBe(caseEvidenceJsonSchemaText());
  });

  it("names its shape by its format: fields added, removed or retyped come with a new format", () => {
    expect({ format: EVIDENCE_FORMAT, shape: shapeOf(caseEvidenceJsonSchemaText()) }).toEqual({
      format: EVIDENCE_FORMAT,
      shape: SHAPES[EVIDENCE_FORMAT],
    });
  });
});
