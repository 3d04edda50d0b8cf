import {
  addYears,
  caseErasureDue,
  caseRetentionYears,
  cutoffs,
  tradersErasureDue,
  yearsBefore,
} from "@/lib/retention/policy";

const policy = {
  draftDays: 90,
  draftRules: [],
  supersededDays: 30,
  supersededRules: [],
  caseYears: 5,
  caseRules: [],
};
const approved = { status: "approved", lastDecision: "approved", trigger: "manual" };
const at = (iso: string) => new Date(iso);

/** What the purge does with a case whose relationship ended at `endedAt`, at `now`. */
const purged = (endedAt: Date, now: Date) =>
  endedAt.getTime() <= cutoffs(policy, now).relationshipEndedBefore.getTime();
const due = (endedAt: Date, now: Date) =>
  caseErasureDue(policy, endedAt, approved)!.getTime() <= now.getTime();

describe("retention policy dates", () => {
  it("ends a period of years from a leap day as 1 March begins in a common year", () => {
    expect(addYears(at("2024-02-29T10:00:00Z"), 1).toISOString()).toBe("2025-03-01T00:00:00.000Z");
    expect(addYears(at("2024-02-29T10:00:00Z"), 4).toISOString()).toBe("2028-02-29T10:00:00.000Z");
    expect(addYears(at("2024-02-29T10:00:00Z"), 5).toISOString()).toBe("2029-03-01T00:00:00.000Z");
    expect(addYears(at("2029-02-28T10:00:00Z"), -5).toISOString()).toBe("2024-02-28T10:00:00.000Z");
    expect(addYears(at("2023-01-31T00:00:00Z"), 5).toISOString()).toBe("2028-01-31T00:00:00.000Z");
  });

  it("shows no erasure date while the relationship has not ended", () => {
    expect(caseErasureDue(policy, null, approved)).toBeNull();
    expect(caseErasureDue(policy, at("2021-06-15T12:00:00Z"), approved)?.toISOString()).toBe(
      "2026-06-15T12:00:00.000Z",
    );
  });

  it("keeps a case until the moment its erasure is due, and purges it from then on", () => {
    const ended = at("2021-06-15T12:00:00Z");
    expect(purged(ended, at("2026-06-15T11:59:59.999Z"))).toBe(false);
    expect(purged(ended, at("2026-06-15T12:00:00Z"))).toBe(true);
    expect(purged(ended, at("2026-06-14T12:00:00Z"))).toBe(false);
  });

  it("purges on the day the console shows as due, for relationships ended on and around a leap day", () => {
    const moments = [
      "2024-02-28T23:00:00Z",
      "2024-02-29T00:00:00Z",
      "2024-02-29T12:00:00Z",
      "2024-03-01T00:00:00Z",
      "2023-02-28T12:00:00Z",
      "2023-03-01T00:00:00Z",
      "2023-03-01T06:00:00Z",
    ].map(at);
    const nows = [
      "2028-02-28T12:00:00Z",
      "2028-02-29T00:00:00Z",
      "2028-02-29T12:00:00Z",
      "2028-02-29T23:59:59.999Z",
      "2028-03-01T00:00:00Z",
      "2028-03-01T12:00:00Z",
      "2029-02-28T12:00:00Z",
      "2029-02-28T23:59:59.999Z",
      "2029-03-01T00:00:00Z",
      "2029-03-01T12:00:00Z",
    ].map(at);
    for (const ended of moments)
      for (const now of nows)
        expect([ended.toISOString(), now.toISOString(), purged(ended, now)]).toEqual([
          ended.toISOString(),
          now.toISOString(),
          due(ended, now),
        ]);
  });

  it("never purges a case ended on 1 March a day early when the clock reads 29 February", () => {
    // The naive cut-off (29 Feb 2028 − 5 years) rolls to 1 March 2023 and would take this case.
    expect(yearsBefore(at("2028-02-29T00:00:00Z"), 5).toISOString()).toBe(
      "2023-02-28T23:59:59.999Z",
    );
    expect(purged(at("2023-03-01T00:00:00Z"), at("2028-02-29T12:00:00Z"))).toBe(false);
  });

  it("keeps a case ended on a leap day through 28 February and purges it as 1 March begins", () => {
    expect(purged(at("2024-02-29T23:00:00Z"), at("2029-02-28T23:59:59.999Z"))).toBe(false);
    expect(purged(at("2024-02-29T23:00:00Z"), at("2029-03-01T00:00:00Z"))).toBe(true);
    expect(purged(at("2024-02-29T00:00:00Z"), at("2029-02-28T23:59:59.999Z"))).toBe(false);
  });

  it("takes drafts and superseded documents at exactly their day counts", () => {
    const now = at("2026-12-03T11:00:00Z");
    const c = cutoffs(policy, now);
    expect(c.draftsTouchedBefore.toISOString()).toBe("2026-09-04T11:00:00.000Z");
    expect(c.supersededDecidedBefore.toISOString()).toBe("2026-11-03T11:00:00.000Z");
    expect(cutoffs({ ...policy, draftDays: 0 }, now).draftsTouchedBefore).toEqual(now);
  });
});

describe("retention periods per outcome and trigger", () => {
  const rules = {
    ...policy,
    caseRules: [
      { trigger: "compliance_notice" as const, years: 10 },
      { status: "rejected" as const, years: 7 },
      { status: "rejected" as const, trigger: "manual" as const, years: 6 },
    ],
  };

  it("takes the most specific period: outcome and trigger, then outcome, then trigger, then the default", () => {
    expect(
      caseRetentionYears(rules, {
        status: "rejected",
        lastDecision: "rejected",
        trigger: "manual",
      }),
    ).toBe(6);
    expect(
      caseRetentionYears(rules, {
        status: "rejected",
        lastDecision: "rejected",
        trigger: "compliance_notice",
      }),
    ).toBe(7);
    expect(
      caseRetentionYears(rules, {
        status: "approved",
        lastDecision: "approved",
        trigger: "compliance_notice",
      }),
    ).toBe(10);
    expect(
      caseRetentionYears(rules, {
        status: "approved",
        lastDecision: "approved",
        trigger: "manual",
      }),
    ).toBe(5);
    // Keyed on the last decision: a reopened rejection, a retry's draft, a revoked approval.
    expect(
      caseRetentionYears(rules, {
        status: "in_review",
        lastDecision: "rejected",
        trigger: "manual",
      }),
    ).toBe(6);
    expect(
      caseRetentionYears(rules, {
        status: "draft",
        lastDecision: "rejected",
        trigger: "first_deposit",
      }),
    ).toBe(7);
    expect(
      caseRetentionYears(rules, {
        status: "rejected",
        lastDecision: null,
        trigger: "first_deposit",
      }),
    ).toBe(7);
  });

  it("gives the purge each rule's cut-off, most specific first", () => {
    const now = at("2030-06-15T12:00:00Z");
    expect(cutoffs(rules, now).caseRules).toEqual([
      { status: "rejected", trigger: "manual", endedBefore: at("2024-06-15T12:00:00Z") },
      { status: "rejected", trigger: undefined, endedBefore: at("2023-06-15T12:00:00Z") },
      { status: undefined, trigger: "compliance_notice", endedBefore: at("2020-06-15T12:00:00Z") },
    ]);
  });

  it("names the trader's erasure day as the latest of their cases' days", () => {
    const ended = at("2021-01-10T00:00:00Z");
    expect(
      tradersErasureDue(rules, ended, [
        { status: "rejected", lastDecision: "rejected", trigger: "manual" },
        { status: "approved", lastDecision: "approved", trigger: "first_deposit" },
      ]).toISOString(),
    ).toBe("2027-01-10T00:00:00.000Z");
    expect(tradersErasureDue(rules, ended, []).toISOString()).toBe("2026-01-10T00:00:00.000Z");
  });
});
