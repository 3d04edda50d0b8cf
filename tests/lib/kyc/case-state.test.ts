import { caseStatus } from "@/lib/db/schema";
import { CASE_EVENTS, transition, type Actor, type CaseEvent } from "@/lib/kyc/case-state";

const STATUSES = caseStatus.enumValues;
const ACTORS: Actor[] = ["trader", "staff", "system"];
const EVENTS = Object.keys(CASE_EVENTS) as CaseEvent[];

/** The specification of legal moves, written out independently of the table under test. */
const LEGAL: Record<string, string> = {
  "draft submit trader": "submitted",
  "submitted start_review staff": "in_review",
  "submitted start_review system": "in_review",
  "resubmitted start_review staff": "in_review",
  "resubmitted start_review system": "in_review",
  "in_review approve staff": "approved",
  "in_review approve system": "approved",
  "in_review reject staff": "rejected",
  // Staff can reject in every open state, so no case waits for ever on someone who cannot act.
  "draft reject staff": "rejected",
  "submitted reject staff": "rejected",
  "resubmitted reject staff": "rejected",
  "action_required reject staff": "rejected",
  "action_required resume_review staff": "in_review",
  "approved revoke staff": "rejected",
  // A match confirmed during an upgrade: the approval in force is withdrawn from the open upgrade
  // (lib/db/queries/cases.ts matches only a case with an approved level).
  "draft revoke staff": "rejected",
  "submitted revoke staff": "rejected",
  "resubmitted revoke staff": "rejected",
  "in_review revoke staff": "rejected",
  "action_required revoke staff": "rejected",
  "rejected reopen staff": "in_review",
  "in_review request_action staff": "action_required",
  "in_review request_action system": "action_required",
  "action_required resubmit trader": "resubmitted",
  "rejected retry trader": "draft",
  "approved expire system": "expired",
  "approved expire staff": "expired",
  // A renewal started on the notice and never submitted (lib/kyc/renewal.ts picks which drafts).
  "draft expire system": "expired",
  "draft expire staff": "expired",
  "expired renew trader": "draft",
  // Early renewal, while the notice is out (lib/kyc/renewal.ts refuses it without a notice).
  "approved renew trader": "draft",
  // A level upgrade reopens an approved case (a launch or the broker's CRM); staff decline it.
  "approved upgrade trader": "draft",
  "approved upgrade system": "draft",
  "draft decline_upgrade staff": "approved",
  "submitted decline_upgrade staff": "approved",
  "resubmitted decline_upgrade staff": "approved",
  "in_review decline_upgrade staff": "approved",
  "action_required decline_upgrade staff": "approved",
  // The retention purge rolls back an upgrade left as a draft past the draft period
  // (lib/retention/purge.ts picks which drafts; the move is the decline's).
  "draft decline_upgrade system": "approved",
  "submitted decline_upgrade system": "approved",
  "resubmitted decline_upgrade system": "approved",
  "in_review decline_upgrade system": "approved",
  "action_required decline_upgrade system": "approved",
};

describe("case state machine", () => {
  const combinations = STATUSES.flatMap((from) =>
    EVENTS.flatMap((event) => ACTORS.map((actor) => [from, event, actor] as const)),
  );

  it.each(combinations)(
    "%s --%s by %s-- is legal exactly when the specification says so",
    (from, event, actor) => {
      const expected = LEGAL[`${from} ${event} ${actor}`];
      const result = transition(from, event, actor);
      if (expected) expect(result).toEqual({ ok: true, from, to: expected });
      else expect(result.ok).toBe(false);
    },
  );

  it("never lets a trader approve, reject or review their own case", () => {
    for (const from of STATUSES) {
      for (const event of [
        "approve",
        "reject",
        "start_review",
        "request_action",
        "resume_review",
        "reopen",
        "revoke",
        "expire",
        "decline_upgrade",
      ] as const) {
        expect(transition(from, event, "trader").ok).toBe(false);
      }
    }
  });

  it("never lets the automated checks reject a case on their own (a person decides)", () => {
    expect(transition("in_review", "reject", "system")).toEqual({
      ok: false,
      reason: "actor_not_allowed",
    });
  });

  it("gives every status a way forward for someone", () => {
    for (const from of STATUSES) {
      const ways = EVENTS.flatMap((event) =>
        ACTORS.filter((actor) => transition(from, event, actor).ok),
      );
      expect({ from, ways: ways.length > 0 }).toEqual({ from, ways: true });
    }
  });

  it("reaches every status from draft", () => {
    const seen = new Set<string>(["draft"]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const from of [...seen]) {
        for (const event of EVENTS) {
          for (const actor of ACTORS) {
            const r = transition(from as (typeof STATUSES)[number], event, actor);
            if (r.ok && !seen.has(r.to)) {
              seen.add(r.to);
              grew = true;
            }
          }
        }
      }
    }
    expect([...seen].sort()).toEqual([...STATUSES].sort());
  });
});
