import { riskFromEarlierRound } from "@/lib/review/risk";

describe("riskFromEarlierRound", () => {
  it("marks the risk a waiting round carries over until that round's checks ran", () => {
    for (const status of ["submitted", "resubmitted", "in_review"])
      expect([status, riskFromEarlierRound({ status, riskLevel: "low" }, false)]).toEqual([
        status,
        true,
      ]);
    expect(riskFromEarlierRound({ status: "in_review", riskLevel: "low" }, true)).toBe(false);
  });

  it("marks nothing on a first submission, which has no risk yet", () => {
    expect(riskFromEarlierRound({ status: "submitted", riskLevel: null }, false)).toBe(false);
  });

  it("marks nothing on a case not waiting for a person (decided, or back with the trader)", () => {
    for (const status of ["approved", "rejected", "expired", "draft", "action_required"])
      expect([status, riskFromEarlierRound({ status, riskLevel: "medium" }, false)]).toEqual([
        status,
        false,
      ]);
  });
});
