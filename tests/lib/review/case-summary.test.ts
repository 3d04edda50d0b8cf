/**
 * The case summary on top of the console's case page, computed from cases made through the real
 * flow: a trader whose name matches an OFAC SDN entry launches from cTrader, fills in the standard
 * level, uploads and submits; the worker runs the checks with the real screening.
 */
import "../../scenarios/support/request-scope";
import { getCaseFile } from "@/lib/review/case-file";
import { changedAnswers } from "@/lib/review/case-summary";
import { fieldLabelsIn, labelsIn } from "@/lib/review/labels";
import { requireStaff } from "@/lib/staff/console";
import { signedInStaff, Trader } from "../../scenarios/support/people";
import { OFAC_EXCERPT, scenarioWorld } from "../../scenarios/support/world";

const world = scenarioWorld();

beforeAll(async () => {
  await world().importLists([OFAC_EXCERPT]);
});

describe("changedAnswers", () => {
  it("names each field that is new, changed or gone between two rounds, and nothing else", () => {
    const before = {
      personal: { data: { givenNames: "Ana", nationalities: ["ES"] }, values: {} },
      identity_document: { data: { documentNumber: "X1", expiryDate: "2030-01-01" }, values: {} },
    };
    const after = {
      personal: { data: { givenNames: "Ana", nationalities: ["ES", "PT"] }, values: {} },
      identity_document: { data: { documentNumber: "X2", expiryDate: "2030-01-01" }, values: {} },
      tax: { data: { taxCountry: "ES" }, values: {} },
    };
    expect(changedAnswers(before, after)).toEqual([
      { step: "personal", field: "nationalities", before: ["ES"], after: ["ES", "PT"] },
      { step: "identity_document", field: "documentNumber", before: "X1", after: "X2" },
      { step: "tax", field: "taxCountry", before: null, after: "ES" },
    ]);
    expect(changedAnswers(after, after)).toEqual([]);
  });
});

describe("case summary", () => {
  it("sums up a sanctions hit: who, level and trigger, the risk with its reasons, checks, hits, documents", async () => {
    const w = world();
    const trader = new Trader(w, 450_001);
    await trader.completeStandardLevel({
      givenNames: "Rafael",
      surnames: "Caro Quintero",
      dateOfBirth: "1952-12-12",
      nationalities: ["MX"],
    });
    const kycCase = await trader.currentCase();
    await w.worker();
    const reviewer = await signedInStaff(w, "summary.reviewer@broker.example", "reviewer");
    const file = await reviewer.act(async () =>
      getCaseFile(await requireStaff("reviewer"), kycCase.id),
    );
    const summary = file!.summary;

    expect(summary.who).toEqual({
      name: "Rafael Caro Quintero",
      dateOfBirth: "1952-12-12",
      nationalities: ["MX"],
      country: "SE",
      ctraderUserId: 450_001,
      tradingLogin: trader.tradingLogin,
    });
    expect(summary.level).toBe("standard");
    expect(summary.trigger).toBe("manual");
    // A likely match: high risk, and the screening is the first reason the score is what it is.
    expect(summary.risk.level).toBe("high");
    expect(summary.risk.score).toBeGreaterThanOrEqual(100);
    expect(summary.risk.reasons[0]).toEqual({ check: "screening", outcome: "fail", points: 100 });
    expect(summary.risk.reasons.reduce((sum, r) => sum + r.points, 0)).toBe(summary.risk.score);
    expect(summary.checks).toEqual(expect.objectContaining({ fail: expect.any(Number) }));
    const { pass, warn, fail } = summary.checks!;
    expect(pass + warn + fail).toBe(file!.checks!.lines.length);
    expect(fail).toBeGreaterThanOrEqual(1);
    expect(summary.hits).toEqual([
      expect.objectContaining({
        key: "ofac-sdn-excerpt:6707",
        level: "likely",
        state: "open",
        listedName: expect.stringMatching(/CARO QUINTERO/),
      }),
    ]);
    // Both documents, scored by the analysis after the submit.
    expect(summary.documents.map((d) => d.documentType).sort()).toEqual(["address", "identity"]);
    for (const d of summary.documents) {
      expect(d.quality.brightness).toBeGreaterThan(0);
      expect(d.quality.blur).toBeGreaterThan(0);
      expect(d.quality.issues).toEqual([]);
    }
    expect(summary.previousCases).toEqual([]);
    // One round only: nothing to compare with.
    expect(summary.changes).toBeNull();

    // Each document beside what the trader typed that it should show.
    const identity = file!.comparisons.find((c) => c.documentType === "identity")!;
    expect(identity.documents).toEqual([
      expect.objectContaining({ side: "page", status: "accepted" }),
    ]);
    expect(Object.fromEntries(identity.fields.map((f) => [f.field, f.value]))).toEqual(
      expect.objectContaining({
        givenNames: "Rafael",
        surnames: "Caro Quintero",
        dateOfBirth: "1952-12-12",
        documentKind: "passport",
        issuingCountry: "SE",
        expiryDate: "2031-05-01",
        documentNumber: expect.stringMatching(/^P\d+$/),
      }),
    );
    const address = file!.comparisons.find((c) => c.documentType === "address")!;
    expect(address.fields.map((f) => f.field)).toEqual(
      expect.arrayContaining(["addressLine1", "city", "country", "issueDate"]),
    );

    // The page renders it in words, with the codes as data for tools.
    const page = await reviewer.casePage(kycCase.id);
    expect(page).toContain('data-testid="case-summary"');
    expect(page).toMatch(/data-testid="summary-risk" data-risk="high"/);
    expect(page).toContain("Sanctions screening (Fail): +100");
    expect(page).toContain("Likely match");
    expect(page).toContain('data-changes="none"');
    expect(page).toContain('data-testid="document-viewer"');
    expect(page).toMatch(/<dt>Document number<\/dt><dd data-field="documentNumber">/);
    expect(page).toContain(
      '<dt>Document type</dt><dd data-field="documentKind"><bdi>Passport</bdi>',
    );
  });
});

describe("console labels of the case page", () => {
  it("has words for every code, in the officer's language, and a fallback for unknown ones", async () => {
    const en = await labelsIn("en");
    const de = await labelsIn("de");
    expect(en.status("action_required")).toBe("Waiting for the trader");
    expect(de.status("in_review")).toBe("In Prüfung");
    expect(en.documentType("address")).toBe("Proof of address");
    expect(de.hitState("awaiting_second")).toBe("Wartet auf eine zweite Person");
    expect(en.qualityIssue("too_dark")).toBe("Too dark");
    expect(en.reason("sanctions_match")).toBe("Sanctions match");
    expect(en.risk(null)).toBe("Not assessed");
    expect(en.item("step:identity_document")).toBe("Identity document");
    expect(en.item("document:address")).toBe("Proof of address");
    expect(en.side("no_such_side")).toBe("Side");
  });

  it("names a typed field and its choice as the trader's form does, in the officer's language", async () => {
    const en = await fieldLabelsIn("en");
    const de = await fieldLabelsIn("de");
    expect(en.field("personal", "dateOfBirth")).toBe("Date of birth");
    expect(de.field("personal", "dateOfBirth")).toBe("Geburtsdatum");
    expect(en.field("identity_document", "documentNumber")).toBe("Document number");
    expect(de.field("identity_document", "expiryDate")).toBe("Ablaufdatum");
    expect(en.option("identity_document", "documentKind", "passport")).toBe("Passport");
    expect(de.option("identity_document", "documentKind", "passport")).toBe("Reisepass");
    // What the forms do not know stays as stored: a key, a value that is not a choice.
    expect(en.field("identity_document", "noSuchField")).toBe("noSuchField");
    expect(en.option("identity_document", "documentNumber", "P123")).toBe("P123");
    expect(en.option("personal", "nationalities", ["SE"])).toEqual(["SE"]);
  });
});
