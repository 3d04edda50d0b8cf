import { requestNote, traderPhase, uploadAccess } from "@/lib/kyc/trader-view";
import type { ActionRequest, Requirements } from "@/lib/kyc/requirements";

const requirements = (types: ("identity" | "address")[] = []): Requirements => ({
  steps: [
    {
      step: "personal",
      formDone: false,
      documents: types.map((documentType) => ({
        documentType,
        side: "page",
        state: "missing",
        reason: null,
        requested: false,
      })),
      done: false,
      editable: true,
      requested: false,
    },
  ],
  otherDocuments: [],
  done: 0,
  total: 1,
  complete: false,
  next: undefined,
  vendor: null,
});
const progress = (request: ActionRequest | null = null) => ({
  request,
  requirements: requirements(["identity"]),
  drafts: {},
});
const request = (items: ActionRequest["items"]): ActionRequest => ({ at: new Date(0), items });

describe("the trader's phase", () => {
  it("tells a draft sent before (a retry) from one never started", () => {
    const draft = { status: "draft" as const, closedAt: null };
    expect(traderPhase({ ...draft, round: 0 }, progress(), null)).toBe("not_started");
    expect(traderPhase({ ...draft, round: 1 }, progress(), null)).toBe("returned");
    expect(
      traderPhase(
        { ...draft, round: 0 },
        { ...progress(), drafts: { personal: {} as never } },
        null,
      ),
    ).toBe("in_progress");
  });
  it("reads a rejection that closed the case as final, whatever its kind", () => {
    const rejected = { status: "rejected" as const, round: 1 };
    expect(traderPhase({ ...rejected, closedAt: null }, progress(), { kind: "retry" })).toBe(
      "rejected_retry",
    );
    expect(traderPhase({ ...rejected, closedAt: new Date() }, progress(), { kind: "retry" })).toBe(
      "rejected_final",
    );
  });
});

describe("upload access", () => {
  it("opens only what a request names, as the upload API does", () => {
    const asked = progress(request([{ kind: "step", step: "proof_of_address" }]));
    expect(uploadAccess("action_required", asked, "address")).toEqual({
      open: true,
      needed: false,
    });
    expect(uploadAccess("action_required", asked, "identity")).toEqual({
      open: false,
      why: "kept",
    });
    expect(uploadAccess("waiting", asked, "address")).toEqual({ open: false, why: "phase" });
    expect(uploadAccess("in_progress", progress(), "identity")).toEqual({
      open: true,
      needed: true,
    });
  });
  it("opens a document the requirements ask again though the request did not name it", () => {
    // A bill asked again after a move: the request named only the personal step.
    const base = requirements(["identity", "address"]);
    const moved: Requirements = {
      ...base,
      steps: base.steps.map((s) => ({
        ...s,
        documents: s.documents.map((d) =>
          d.documentType === "address"
            ? { ...d, state: "retake", reason: "address_changed", requested: true }
            : { ...d, state: "accepted" },
        ),
      })),
    };
    const asked = {
      ...progress(request([{ kind: "step", step: "personal" }])),
      requirements: moved,
    };
    expect(uploadAccess("action_required", asked, "address")).toEqual({ open: true, needed: true });
    expect(uploadAccess("action_required", asked, "identity")).toEqual({
      open: false,
      why: "kept",
    });
  });
});

describe("the reviewer's words per item", () => {
  it("gives an item its own reason, else the request's message, and nothing to items not asked", () => {
    const asked = request([
      { kind: "step", step: "tax" },
      { kind: "document", documentType: "address", reason: "Cut off at the bottom." },
    ]);
    expect(requestNote(asked, { step: "tax" }, "See below.")).toBe("See below.");
    expect(requestNote(asked, { step: "proof_of_address" }, "See below.")).toBe(
      "Cut off at the bottom.",
    );
    expect(requestNote(asked, { documentType: "identity" }, "See below.")).toBeNull();
    expect(requestNote(null, { step: "tax" }, "See below.")).toBeNull();
  });
});
