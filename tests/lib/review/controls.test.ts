import { caseControls, hitControls, type ControlFacts } from "@/lib/review/controls";
import type { Reviewer } from "@/lib/review/decisions";
import { reasonsForLevel } from "@/lib/review/reasons";
import { BUILT_IN_LEVELS, type Level } from "@/lib/kyc/levels";

const ME = "00000000-0000-4000-8000-000000000001";
const OTHER = "00000000-0000-4000-8000-000000000002";
const as = (role: Reviewer["role"]): Reviewer => ({ id: ME, role });

const facts = (over: Partial<ControlFacts> = {}): ControlFacts => ({
  status: "in_review",
  assignedTo: null,
  fourEyesRequired: false,
  blocker: null,
  signedByMe: false,
  signedByOther: false,
  checksOfRound: true,
  ...over,
});

const level = (id: string): Level => BUILT_IN_LEVELS.levels.find((l) => l.id === id)!;

describe("console controls: what each role is offered, and why not", () => {
  const enabled = { enabled: true };
  it.each([
    // [what, role, facts, control, expected]
    ["a reviewer on an unclaimed case approves", "reviewer", {}, "approve", enabled],
    [
      "a reviewer on a case someone else claimed must take it over",
      "reviewer",
      { assignedTo: OTHER },
      "approve",
      { enabled: false, why: "not_assignee" },
    ],
    [
      "an admin too must take over before deciding",
      "admin",
      { assignedTo: OTHER },
      "reject",
      { enabled: false, why: "not_assignee" },
    ],
    ["the holder decides", "reviewer", { assignedTo: ME }, "reject", enabled],
    [
      "a reviewer cannot co-sign another's four-eyes signature",
      "reviewer",
      { fourEyesRequired: true, signedByOther: true },
      "approve",
      { enabled: false, why: "co_sign_needs_approver" },
    ],
    [
      "an approver co-signs without taking the claim over",
      "approver",
      { fourEyesRequired: true, signedByOther: true, assignedTo: OTHER },
      "approve",
      enabled,
    ],
    [
      "the first signer waits for a second approver",
      "approver",
      { fourEyesRequired: true, signedByMe: true },
      "approve",
      { enabled: false, why: "waiting_for_co_sign" },
    ],
    [
      "running checks block the approval, for everyone",
      "admin",
      { blocker: "checks_running", checksOfRound: false },
      "approve",
      { enabled: false, why: "checks_running" },
    ],
    [
      "a reviewer cannot withdraw an approval",
      "reviewer",
      { status: "approved" },
      "revoke",
      { enabled: false, why: "withdraw_needs_approver" },
    ],
    ["an approver withdraws an approval", "approver", { status: "approved" }, "revoke", enabled],
    [
      "an approver cannot reopen a rejection",
      "approver",
      { status: "rejected" },
      "reopen",
      { enabled: false, why: "reopen_needs_admin" },
    ],
    ["an admin reopens a rejection", "admin", { status: "rejected" }, "reopen", enabled],
    [
      "a reviewer takes a waiting case back only once they hold it",
      "reviewer",
      { status: "action_required", assignedTo: OTHER },
      "resumeReview",
      { enabled: false, why: "not_assignee" },
    ],
    [
      "a reviewer does not export evidence",
      "reviewer",
      {},
      "export",
      { enabled: false, why: "export_needs_approver" },
    ],
    [
      "an approver does not replay deliveries",
      "approver",
      {},
      "replayDeliveries",
      { enabled: false, why: "replay_needs_admin" },
    ],
    [
      "a closed case has no take-over",
      "reviewer",
      { status: "approved", assignedTo: OTHER },
      "takeOver",
      undefined,
    ],
    [
      "someone else's open case offers the take-over",
      "reviewer",
      { assignedTo: OTHER },
      "takeOver",
      enabled,
    ],
    ["a claimed case offers no claim", "reviewer", { assignedTo: OTHER }, "claim", undefined],
    ["an approved case offers no rejection", "admin", { status: "approved" }, "reject", undefined],
    [
      "a monitoring task that reads offers no closing by hand",
      "admin",
      { status: "approved" },
      "closeMonitoringTask",
      undefined,
    ],
    [
      "a reviewer does not close an unreadable monitoring task",
      "reviewer",
      { status: "approved", unreadableMonitoringTask: { hitsBlocker: null } },
      "closeMonitoringTask",
      { enabled: false, why: "needs_approver" },
    ],
    [
      "an unreadable monitoring task waits for its hits to be cleared",
      "approver",
      { status: "approved", unreadableMonitoringTask: { hitsBlocker: "likely_hit_open" } },
      "closeMonitoringTask",
      { enabled: false, why: "likely_hit_open" },
    ],
    [
      "an upgrade with a confirmed match is not declined: it offers no plain reject",
      "approver",
      { approvedLevel: "standard", confirmedMatch: true, assignedTo: ME },
      "reject",
      undefined,
    ],
    [
      "an upgrade with a confirmed match is withdrawn by an approver",
      "approver",
      { approvedLevel: "standard", confirmedMatch: true, assignedTo: ME },
      "revoke",
      enabled,
    ],
    [
      "the withdrawal from an upgrade is the holder's",
      "approver",
      { approvedLevel: "standard", confirmedMatch: true, assignedTo: OTHER },
      "revoke",
      { enabled: false, why: "not_assignee" },
    ],
    [
      "a reviewer cannot withdraw the approval an upgrade with a confirmed match builds on",
      "reviewer",
      { approvedLevel: "standard", confirmedMatch: true, assignedTo: ME },
      "revoke",
      { enabled: false, why: "withdraw_needs_approver" },
    ],
    [
      "an upgrade without a confirmed match is declined, not withdrawn",
      "approver",
      { approvedLevel: "standard", assignedTo: ME },
      "revoke",
      undefined,
    ],
    [
      "an approver closes an unreadable monitoring task once every hit is cleared",
      "approver",
      { status: "approved", unreadableMonitoringTask: { hitsBlocker: null } },
      "closeMonitoringTask",
      enabled,
    ],
  ] as const)("%s", (_what, role, over, control, expected) => {
    const controls = caseControls(as(role), facts(over as Partial<ControlFacts>));
    expect(controls[control]).toEqual(expected);
  });

  it("never enables an approval the service would refuse for the role", () => {
    for (const role of ["reviewer", "approver", "admin"] as const)
      for (const signedByOther of [false, true]) {
        const control = caseControls(as(role), facts({ fourEyesRequired: true, signedByOther }));
        if (signedByOther && role === "reviewer") expect(control.approve?.enabled).toBe(false);
        else expect(control.approve?.enabled).toBe(true);
      }
  });
});

describe("screening hit controls", () => {
  const hit = (over: object = {}) => ({
    level: "likely" as const,
    state: "open" as const,
    judgments: [],
    ...over,
  });
  const cleared = {
    staffId: OTHER,
    verdict: "false_positive" as const,
    reason: "born another year",
    at: new Date(),
  };

  it("the second clearing of a likely hit is an approver's: a reviewer is told so", () => {
    const awaiting = hit({ state: "awaiting_second", judgments: [cleared] });
    expect(hitControls(as("reviewer"), awaiting, true).falsePositive).toEqual({
      enabled: false,
      why: "second_needs_approver",
    });
    expect(hitControls(as("approver"), awaiting, true).falsePositive).toEqual({ enabled: true });
  });

  it("the first clearer cannot clear twice; a settled hit offers nothing", () => {
    const mine = hit({ state: "awaiting_second", judgments: [{ ...cleared, staffId: ME }] });
    expect(hitControls(as("admin"), mine, true).falsePositive).toEqual({
      enabled: false,
      why: "already_judged",
    });
    expect(hitControls(as("admin"), hit({ state: "cleared" }), true)).toEqual({});
    expect(hitControls(as("admin"), hit(), false)).toEqual({});
  });

  it("a clearer made an approver since may add the approver's clearing, and only that", () => {
    const asReviewer = { ...cleared, staffId: ME, role: "reviewer" as const };
    const awaiting = hit({ state: "awaiting_second", judgments: [asReviewer] });
    expect(hitControls(as("approver"), awaiting, true).falsePositive).toEqual({ enabled: true });
    expect(hitControls(as("reviewer"), awaiting, true).falsePositive).toEqual({
      enabled: false,
      why: "already_judged",
    });
    // Once an approver's clearing stands (theirs or another's), theirs adds nothing.
    for (const approvers of [
      { ...asReviewer, role: "approver" as const },
      { ...cleared, role: "admin" as const },
    ]) {
      const both = hit({ state: "awaiting_second", judgments: [asReviewer, approvers] });
      expect(hitControls(as("approver"), both, true).falsePositive).toEqual({
        enabled: false,
        why: "already_judged",
      });
    }
  });
});

describe("reject reasons per level", () => {
  it("offers only reasons whose steps and documents the level has", () => {
    const codes = (id: string) => reasonsForLevel(level(id)).map((r) => r.code);
    expect(codes("standard")).not.toContain("source_of_funds_unclear");
    expect(codes("standard")).toContain("address_proof_invalid");
    expect(codes("basic")).not.toContain("address_proof_invalid");
    expect(codes("basic")).toContain("document_expired");
    expect(codes("enhanced")).toContain("source_of_funds_unclear");
    // Final reasons name nothing to redo: every level has them.
    for (const id of ["basic", "standard", "enhanced"]) expect(codes(id)).toContain("underage");
  });
});
