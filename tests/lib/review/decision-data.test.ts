import { decisionRow } from "@/lib/review/decision-data";

describe("a decision's data as stored", () => {
  it("stores what its schema reads, and nothing for a signature", () => {
    expect(decisionRow({ decision: "approve" })).toEqual({ decision: "approve", data: {} });
    expect(
      decisionRow({ decision: "reject", data: { kind: "final", retryLimitReached: true } }),
    ).toEqual({ decision: "reject", data: { kind: "final", retryLimitReached: true } });
  });

  it("refuses data its readers would not read, before anything is stored", () => {
    // What a writer that drifted would hand over: a text key no reader knows, a wrong value.
    const drifted = { decision: "reject", data: { kind: "final", note: "see call" } } as never;
    expect(() => decisionRow(drifted)).toThrow(/note/);
    const wrong = { decision: "periodic_review", data: { taskId: "7", outcome: "fine" } } as never;
    expect(() => decisionRow(wrong)).toThrow(/outcome/);
    expect(() => decisionRow({ decision: "approve", data: { by: "x" } } as never)).toThrow();
  });
});
