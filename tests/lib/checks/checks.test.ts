/**
 * Each automated check on crafted snapshots: what passes, what warns, what fails, and what
 * evidence it leaves for the reviewer.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  checkAge,
  checkAppropriateness,
  checkDocumentCountry,
  checkDocumentExpiry,
  checkDuplicateDocumentNumber,
  checkDuplicateImage,
  checkPepDeclaration,
  checkScreening,
  checkSelfie,
  checkTaxResidence,
  checkUploadQuality,
  runChecks,
  type CheckContext,
} from "@/lib/checks/checks";
import { DEFAULT_RISK_CONFIG } from "@/lib/checks/risk";
import { buildSnapshot, identityFingerprint } from "@/lib/checks/snapshot";
import type { CaseSnapshot, SnapshotDocument } from "@/lib/checks/types";
import type { DocumentRow } from "@/lib/db/schema";
import { buildIndex } from "@/lib/screening/index";
import { loadList } from "@/lib/screening/loaders";

const NOW = new Date("2026-06-15T10:00:00Z");
const excerpt = loadList(
  readFileSync(path.join(__dirname, "../../fixtures/sanctions/ofac-sdn-excerpt.csv"), "utf8"),
  "ofac-sdn-excerpt",
).entries;
const lists = { index: buildIndex(excerpt), versions: { "ofac-sdn-excerpt": "v1" } };

const ctx = (over: Partial<CheckContext> = {}): CheckContext => ({
  now: NOW,
  minAge: 18,
  config: DEFAULT_RISK_CONFIG,
  screening: lists,
  ...over,
});

const doc = (over: Partial<SnapshotDocument> = {}): SnapshotDocument => ({
  id: "d1",
  documentType: "identity",
  side: "front",
  status: "accepted",
  issues: [],
  usedByOtherTraders: [],
  ...over,
});

function snapshot(over: Partial<CaseSnapshot> = {}): CaseSnapshot {
  return {
    caseId: "c1",
    traderId: "t1",
    unreadable: [],
    level: "enhanced",
    personal: {
      givenNames: "Jonas",
      surnames: "Lindqvist",
      dateOfBirth: "1979-02-11",
      nationalities: ["SE"],
      country: "SE",
    },
    identityDocument: {
      documentKind: "passport",
      documentNumber: "AB7781234",
      issuingCountry: "SE",
      expiryDate: "2031-05-01",
    },
    proofOfAddress: { addressDocumentKind: "utility_bill", issueDate: "2026-05-20" },
    tax: { taxResidences: [{ country: "SE", tin: "197902111234", noTinReason: null }] },
    pep: { isPep: false, pepRelation: null, pepPosition: null, pepCountry: null },
    appropriateness: { result: "appropriate", score: 9, maxScore: 12 },
    documents: [doc()],
    sameDocumentElsewhere: [],
    ...over,
  };
}
const personal = snapshot().personal!;
const identity = snapshot().identityDocument!;

describe("age", () => {
  it("passes at exactly the minimum age and fails the day before the birthday", () => {
    const on = (dateOfBirth: string) =>
      checkAge(snapshot({ personal: { ...personal, dateOfBirth } }), ctx());
    expect(on("2008-06-15")).toMatchObject({ outcome: "pass", evidence: { age: 18 } });
    expect(on("2008-06-16")).toMatchObject({ outcome: "fail", evidence: { age: 17, minAge: 18 } });
  });
  it("uses the configured minimum age", () => {
    const s = snapshot({ personal: { ...personal, dateOfBirth: "2006-01-01" } });
    expect(checkAge(s, ctx()).outcome).toBe("pass");
    expect(checkAge(s, ctx({ minAge: 21 })).outcome).toBe("fail");
  });
  it("fails when there is no usable date of birth", () => {
    expect(checkAge(snapshot({ personal: null }), ctx()).outcome).toBe("fail");
    const bad = snapshot({ personal: { ...personal, dateOfBirth: "1979-02-30" } });
    expect(checkAge(bad, ctx()).evidence).toEqual({ reason: "no_date_of_birth" });
  });
});

describe("identity document expiry", () => {
  const on = (expiryDate: string) =>
    checkDocumentExpiry(snapshot({ identityDocument: { ...identity, expiryDate } }), ctx());
  it("passes a document valid for 30 days or more", () => {
    expect(on("2026-07-15")).toMatchObject({ outcome: "pass", evidence: { daysLeft: 30 } });
  });
  it("warns when it expires within 30 days, including today", () => {
    expect(on("2026-07-14").outcome).toBe("warn");
    expect(on("2026-06-15")).toMatchObject({ outcome: "warn", evidence: { daysLeft: 0 } });
  });
  it("fails an expired document", () => {
    expect(on("2026-06-14")).toMatchObject({ outcome: "fail", evidence: { daysLeft: -1 } });
  });
});

describe("consistency", () => {
  it("passes an issuing country among the nationalities and warns otherwise", () => {
    expect(checkDocumentCountry(snapshot(), ctx())?.outcome).toBe("pass");
    const other = snapshot({ identityDocument: { ...identity, issuingCountry: "DE" } });
    expect(checkDocumentCountry(other, ctx())).toMatchObject({
      outcome: "warn",
      evidence: { issuingCountry: "DE", nationalities: ["SE"] },
    });
  });
  it("accepts a driving licence issued by the country of residence", () => {
    const s = snapshot({
      personal: { ...personal, country: "DE" },
      identityDocument: { ...identity, documentKind: "driving_licence", issuingCountry: "DE" },
    });
    expect(checkDocumentCountry(s, ctx())?.outcome).toBe("pass");
  });
  it("warns when the tax residences leave out the country of residence", () => {
    expect(checkTaxResidence(snapshot(), ctx())?.outcome).toBe("pass");
    const s = snapshot({
      tax: { taxResidences: [{ country: "CY", tin: null, noTinReason: "not_issued" }] },
    });
    expect(checkTaxResidence(s, ctx())).toMatchObject({
      outcome: "warn",
      evidence: { taxCountries: ["CY"], residenceCountry: "SE" },
    });
    expect(checkTaxResidence(snapshot({ tax: null }), ctx())).toBeNull();
  });
});

describe("upload quality", () => {
  it("warns once per quality issue and scores each", () => {
    const s = snapshot({
      documents: [doc({ issues: ["blurry", "glare"] }), doc({ id: "d2", side: "back" })],
    });
    const r = checkUploadQuality(s, ctx());
    expect(r.outcome).toBe("warn");
    expect(r.riskPoints).toBe(2 * DEFAULT_RISK_CONFIG.points.upload_quality.warn);
    expect(r.evidence).toMatchObject({
      issues: 2,
      flagged: [{ documentId: "d1", issues: ["blurry", "glare"] }],
    });
    expect(checkUploadQuality(snapshot(), ctx())).toMatchObject({ outcome: "pass", riskPoints: 0 });
  });
  it("reads issues and look-alikes from the documents' quality column", () => {
    const row = (quality: unknown, over: Partial<DocumentRow> = {}) =>
      ({
        id: "x",
        documentType: "identity",
        side: "page",
        status: "accepted",
        replacedAt: null,
        quality,
        ...over,
      }) as DocumentRow;
    const s = buildSnapshot({
      caseId: "c",
      traderId: "t",
      level: "basic",
      drafts: {},
      documents: [
        row({
          issues: ["low_resolution"],
          usedByOtherTraders: [{ documentId: "o", caseId: "oc", exact: true }],
        }),
        row(null, { id: "y" }),
        row({ issues: ["blurry"] }, { id: "z", status: "pending" }),
      ],
    });
    expect(s.documents).toEqual([
      expect.objectContaining({
        id: "x",
        issues: ["low_resolution"],
        usedByOtherTraders: [{ documentId: "o", caseId: "oc", exact: true }],
      }),
      expect.objectContaining({ id: "y", issues: [], usedByOtherTraders: [] }),
    ]);
  });

  it("names a completed step whose stored answers it cannot read, instead of leaving it out", () => {
    const s = buildSnapshot({
      caseId: "c",
      traderId: "t",
      level: "enhanced",
      drafts: {
        pep: { completed: true, data: { isPep: "yes" } },
        appropriateness: { completed: false, data: { result: "maybe" } },
        tax: {
          completed: true,
          data: { taxResidences: [{ country: "SE", tin: null, noTinReason: "not_issued" }] },
        },
      },
      documents: [],
    });
    expect(s.unreadable).toEqual(["pep"]);
    expect(s.pep).toBeNull();
    expect(s.appropriateness).toBeNull();
    expect(s.tax).toEqual({
      taxResidences: [{ country: "SE", tin: null, noTinReason: "not_issued" }],
    });
  });
});

describe("duplicates", () => {
  it("fails when another trader's case has the same identity document", () => {
    const s = snapshot({ sameDocumentElsewhere: [{ traderId: "t2", caseId: "c2" }] });
    expect(checkDuplicateDocumentNumber(s, ctx())).toMatchObject({
      outcome: "fail",
      evidence: { otherTraders: ["t2"], otherCases: ["c2"] },
    });
    expect(checkDuplicateDocumentNumber(snapshot(), ctx())?.outcome).toBe("pass");
  });
  it("never puts the document number into the evidence", () => {
    const s = snapshot({ sameDocumentElsewhere: [{ traderId: "t2", caseId: "c2" }] });
    const all = JSON.stringify(runChecks(s, ctx()));
    expect(all).not.toContain(identity.documentNumber);
  });
  it("fails when an uploaded image is already used by another trader", () => {
    const s = snapshot({
      documents: [doc({ usedByOtherTraders: [{ documentId: "o1", caseId: "c9", exact: false }] })],
    });
    expect(checkDuplicateImage(s, ctx())).toMatchObject({
      outcome: "fail",
      evidence: { reused: [{ documentId: "d1", usedBy: [{ caseId: "c9" }] }] },
    });
    expect(checkDuplicateImage(snapshot(), ctx()).outcome).toBe("pass");
  });
  it("fingerprints the same document equally however the number was typed, and keyed", () => {
    const a = identityFingerprint("s".repeat(40), {
      issuingCountry: "SE",
      documentNumber: "AB 778-1234",
    });
    const b = identityFingerprint("s".repeat(40), {
      issuingCountry: "se",
      documentNumber: "ab7781234",
    });
    const otherCountry = identityFingerprint("s".repeat(40), {
      issuingCountry: "NO",
      documentNumber: "AB7781234",
    });
    const otherKey = identityFingerprint("t".repeat(40), {
      issuingCountry: "SE",
      documentNumber: "AB7781234",
    });
    expect(a).toBe(b);
    expect(new Set([a, otherCountry, otherKey]).size).toBe(3);
    expect(a).not.toContain("7781234");
  });
});

describe("declarations", () => {
  it("warns on a PEP self-declaration with high risk points", () => {
    const s = snapshot({
      pep: { isPep: true, pepRelation: "self", pepPosition: "Mayor", pepCountry: "SE" },
    });
    const r = checkPepDeclaration(s, ctx());
    expect(r?.outcome).toBe("warn");
    expect(r!.riskPoints).toBeGreaterThanOrEqual(DEFAULT_RISK_CONFIG.thresholds.high);
    expect(checkPepDeclaration(snapshot(), ctx())?.outcome).toBe("pass");
  });
  it("warns when the appropriateness test found CFDs not appropriate", () => {
    const s = snapshot({ appropriateness: { result: "not_appropriate", score: 3, maxScore: 12 } });
    expect(checkAppropriateness(s, ctx())?.outcome).toBe("warn");
    expect(checkAppropriateness(snapshot(), ctx())?.outcome).toBe("pass");
  });
  it("does not run checks whose step the level does not collect", () => {
    const basic = snapshot({ tax: null, pep: null, appropriateness: null, proofOfAddress: null });
    const names = runChecks(basic, ctx()).map((r) => r.check);
    expect(names).not.toContain("tax_residence");
    expect(names).not.toContain("pep_declaration");
    expect(names).not.toContain("appropriateness");
    expect(names).toEqual(expect.arrayContaining(["age", "document_expiry", "screening"]));
  });
});

describe("sanctions screening", () => {
  const listed = snapshot({
    personal: {
      givenNames: "Rafael",
      surnames: "Caro Quintero",
      dateOfBirth: "1952-12-12",
      nationalities: ["MX"],
      country: "MX",
    },
  });
  it("fails a likely match and explains it", () => {
    const r = checkScreening(listed, ctx());
    expect(r.outcome).toBe("fail");
    expect(r.evidence).toMatchObject({
      lists: { "ofac-sdn-excerpt": "v1" },
      hits: [
        {
          source: "ofac-sdn-excerpt",
          entryId: "6707",
          level: "likely",
          explanation: expect.objectContaining({
            matchedName: "Rafael CARO QUINTERO",
            dateOfBirth: expect.objectContaining({ result: "exact" }),
          }),
        },
      ],
    });
  });
  it("warns on a review-level hit", () => {
    // Same name, a different date of birth decades apart: the name alone is worth a look.
    const s = snapshot({ personal: { ...listed.personal!, dateOfBirth: "1990-01-01" } });
    const r = checkScreening(s, ctx());
    expect(r.outcome).toBe("warn");
    expect(r.evidence.hits).toEqual([
      expect.objectContaining({ entryId: "6707", level: "review" }),
    ]);
  });
  it("passes a name nobody listed", () => {
    expect(checkScreening(snapshot(), ctx())).toMatchObject({
      outcome: "pass",
      evidence: { hits: [] },
    });
  });
  it("warns without points when no list is loaded: nothing was screened", () => {
    expect(checkScreening(snapshot(), ctx({ screening: null }))).toEqual({
      check: "screening",
      outcome: "warn",
      evidence: { reason: "no_list" },
      riskPoints: 0,
    });
  });
});

describe("selfie", () => {
  const frame = (side: string, prompt: string, challengeId = "a1") =>
    doc({ id: `f-${side}`, documentType: "selfie", side, prompt, challengeId });

  it("is not run when the case has no selfie", () => {
    expect(checkSelfie(snapshot(), ctx())).toBeNull();
  });

  it("asks a person to compare a complete selfie with the document, at no risk points", () => {
    const result = checkSelfie(
      snapshot({
        documents: [
          doc(),
          frame("frame_2", "blink"),
          frame("frame_1", "look_right"),
          frame("frame_3", "look_left"),
        ],
      }),
      ctx(),
    );
    expect(result).toMatchObject({ check: "selfie", outcome: "warn", riskPoints: 0 });
    expect(result?.evidence).toEqual({
      complete: true,
      frames: [
        { documentId: "f-frame_1", side: "frame_1", prompt: "look_right" },
        { documentId: "f-frame_2", side: "frame_2", prompt: "blink" },
        { documentId: "f-frame_3", side: "frame_3", prompt: "look_left" },
      ],
    });
  });

  it("fails frames of different attempts, or a missing frame", () => {
    const mixed = snapshot({
      documents: [
        frame("frame_1", "blink"),
        frame("frame_2", "look_left"),
        frame("frame_3", "look_right", "a2"),
      ],
    });
    expect(checkSelfie(mixed, ctx())).toMatchObject({ outcome: "fail", riskPoints: 60 });
    const short = snapshot({
      documents: [frame("frame_1", "blink"), frame("frame_2", "look_left")],
    });
    expect(checkSelfie(short, ctx())?.evidence).toMatchObject({ complete: false });
  });

  it("does not count a selfie frame's camera resolution as an upload quality issue", () => {
    const result = checkUploadQuality(
      snapshot({
        documents: [
          { ...frame("frame_1", "blink"), issues: ["too_small"] },
          { ...frame("frame_2", "look_left"), issues: ["too_dark"] },
        ],
      }),
      ctx(),
    );
    expect(result.evidence).toMatchObject({ issues: 1 });
  });
});
