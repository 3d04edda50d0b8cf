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
