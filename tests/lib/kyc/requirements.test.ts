import { BUILT_IN_LEVELS } from "@/lib/kyc/levels";
import { caseRequirements } from "@/lib/kyc/requirements";

const basic = BUILT_IN_LEVELS.levels.find((l) => l.id === "basic")!;
const at = new Date("2026-12-03T00:00:00Z");
const step = (values: Record<string, unknown> = {}) => ({
  values,
  data: values,
  completed: true,
  updatedAt: at,
  version: 1,
});
const drafts = { personal: step(), identity_document: step({ documentKind: "passport" }) };
const passport = {
  documentType: "identity",
  side: "page",
  status: "accepted",
  reason: null,
  confirmedAt: at,
  uploadExpiresAt: at,
} as const;

describe("requirements with a verification vendor", () => {
  it("is complete without a vendor once the steps and documents are done", () => {
    expect(
      caseRequirements({ level: basic, drafts, documents: [passport], now: at }),
    ).toMatchObject({
      complete: true,
      vendor: null,
    });
  });

  it("stays incomplete until the trader finished the vendor's capture", () => {
    const waiting = caseRequirements({
      level: basic,
      drafts,
      documents: [passport],
      vendor: { vendor: "sumsub", done: false },
      now: at,
    });
    expect(waiting.complete).toBe(false);
    expect(waiting.done).toBe(waiting.total);
    const captured = caseRequirements({
      level: basic,
      drafts,
      documents: [passport],
      vendor: { vendor: "sumsub", done: true },
      now: at,
    });
    expect(captured.complete).toBe(true);
  });

  it("asks for no identity upload of ours when the vendor's capture replaces it", () => {
    const vendorOnly = { ...basic, documents: [] };
    const result = caseRequirements({
      level: vendorOnly,
      drafts,
      documents: [],
      vendor: { vendor: "onfido", done: true },
      now: at,
    });
    expect(result.steps.flatMap((s) => s.documents)).toEqual([]);
    expect(result.complete).toBe(true);
  });
});

describe("requirements when a reviewer asks a step again", () => {
  const standard = BUILT_IN_LEVELS.levels.find((l) => l.id === "standard")!;
  const later = new Date(at.getTime() + 60_000);
  const bill = { ...passport, documentType: "address" } as const;
  const answered = { ...drafts, proof_of_address: step({ addressDocumentKind: "utility_bill" }) };
  // The trader answered the step again after the request; the files are from before it.
  const again = {
    ...answered,
    proof_of_address: { ...answered.proof_of_address, updatedAt: later },
  };
  const documentOf = (r: ReturnType<typeof caseRequirements>, type: string) =>
    r.steps.flatMap((s) => s.documents).find((d) => d.documentType === type);

  it("asks for the bill again with the proof-of-address step", () => {
    const request = { at, items: [{ kind: "step", step: "proof_of_address" }] } as const;
    const result = caseRequirements({
      level: standard,
      drafts: again,
      documents: [passport, bill],
      request: { ...request, items: [...request.items] },
      now: later,
    });
    expect(documentOf(result, "address")).toMatchObject({ state: "retake", requested: true });
    expect(result.complete).toBe(false);
    const fresh = caseRequirements({
      level: standard,
      drafts: again,
      documents: [passport, { ...bill, confirmedAt: later }],
      request: { ...request, items: [...request.items] },
      now: later,
    });
    expect(fresh.complete).toBe(true);
  });

  it("keeps the identity photo when only the identity step is asked (the data is corrected against it)", () => {
    const result = caseRequirements({
      level: standard,
      drafts: {
        ...answered,
        identity_document: { ...answered.identity_document, updatedAt: later },
      },
      documents: [passport, bill],
      request: { at, items: [{ kind: "step", step: "identity_document" }] },
      now: later,
    });
    expect(documentOf(result, "identity")).toMatchObject({ state: "accepted", requested: false });
    expect(result.complete).toBe(true);
  });
});

describe("requirements when the address changed after the bill was checked", () => {
  const withAddress = BUILT_IN_LEVELS.levels.find((l) => l.documents.includes("address"))!;
  const home = {
    addressLine1: "1 Main St",
    addressLine2: "",
    city: "Lyon",
    postcode: "69001",
    country: "FR",
  };
  const bill = { ...passport, documentType: "address" } as const;
  const addressDoc = (reqs: ReturnType<typeof caseRequirements>) =>
    [...reqs.steps.flatMap((s) => s.documents), ...reqs.otherDocuments].find(
      (d) => d.documentType === "address",
    )!;
  const run = (personal: Record<string, unknown>) =>
    caseRequirements({
      level: withAddress,
      drafts: { ...drafts, personal: step(personal) },
      documents: [passport, bill],
      billAddress: home,
      now: at,
    });

  it("asks for the bill again when the draft's address is another one", () => {
    const doc = addressDoc(run({ ...home, city: "Paris" }));
    expect(doc).toMatchObject({ state: "retake", reason: "address_changed" });
  });

  it("keeps the bill when only spacing or case differ", () => {
    expect(addressDoc(run({ ...home, addressLine1: "  1  MAIN st ", city: "lyon" })).state).toBe(
      "accepted",
    );
  });

  it("keeps the bill when no round checked it yet", () => {
    const reqs = caseRequirements({
      level: withAddress,
      drafts: { ...drafts, personal: step({ ...home, city: "Paris" }) },
      documents: [passport, bill],
      now: at,
    });
    expect(addressDoc(reqs).state).toBe("accepted");
  });
});
