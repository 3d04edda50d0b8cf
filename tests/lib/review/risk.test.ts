import { riskFromEarlierRound } from "@/lib/review/risk";

const sent = new Date("2026-12-01T10:00:00Z");
const waiting = (status: string, riskLevel: string | null = "low") => ({
  status,
  riskLevel,
  queuedAt: sent,
});

describe("riskFromEarlierRound", () => {
  it("marks the risk a waiting round carries over until that round's checks ran", () => {
    for (const status of ["submitted", "resubmitted", "in_review"])
      expect([status, riskFromEarlierRound(waiting(status), false, null)]).toEqual([status, true]);
    expect(riskFromEarlierRound(waiting("in_review"), true, null)).toBe(false);
  });

  it("marks nothing on a first submission, which has no risk yet", () => {
    expect(riskFromEarlierRound(waiting("submitted", null), false, null)).toBe(false);
  });

  it("marks nothing on a case not waiting for a person (decided, or back with the trader)", () => {
    for (const status of ["approved", "rejected", "expired", "draft", "action_required"])
      expect([status, riskFromEarlierRound(waiting(status, "medium"), false, null)]).toEqual([
        status,
        false,
      ]);
  });

  it("does not call a re-screening hit found since the round was sent the previous round's", () => {
    expect(riskFromEarlierRound(waiting("submitted", "high"), false, sent)).toBe(false);
    expect(
      riskFromEarlierRound(waiting("submitted", "high"), false, new Date(sent.getTime() + 1)),
    ).toBe(false);
    // A hit before the submit was part of what the round was sent on: still the earlier risk.
    expect(
      riskFromEarlierRound(waiting("submitted", "high"), false, new Date(sent.getTime() - 1)),
    ).toBe(true);
  });
});
