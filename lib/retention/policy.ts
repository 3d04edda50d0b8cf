/**
 * The retention policy as dates: from the configured periods (RETENTION_*) and a moment, the
 * cut-offs the purge compares with, and for one case the day its erasure becomes due. Pure, so
 * the boundaries are tested without a database.
 *
 * A case's period after the relationship ended is the most specific configured one: its outcome
 * and trigger together (`rejected/compliance_notice=10`), then its outcome, then its trigger,
 * then RETENTION_CASE_YEARS. The outcome is the case's last decision (approved or rejected), and
 * its status only while it never had one: an approval that expires, or is being renewed or
 * upgraded, is still the approval the records were kept for, so its period (and the erasure date
 * the CRM was given when the relationship ended) does not move with the status.
 */
import type { CaseRetentionRule, Env, RetentionDaysRule } from "@/lib/env";

const DAY_MS = 86_400_000;

type Periods = Pick<
  Env["retention"],
  "draftDays" | "draftRules" | "supersededDays" | "supersededRules" | "caseYears" | "caseRules"
>;
type CaseFacts = {
  status: string;
  /** The last move to approved or rejected (lib/db/queries/retention.ts: lastDecisions). */
  lastDecision: string | null;
  trigger: string;
};

/**
 * Whether a relationship end covers a case: only the cases opened before the end was recorded. A
 * case opened since is a returning trader's, a customer again whose relationship has not ended,
 * so an old end (or the CRM sending it again) never dates it. The purge's SQL applies the same
 * rule (lib/db/queries/retention.ts pastRelationshipEnd).
 */
export function endCovers(end: { recordedAt: Date }, kycCase: { openedAt: Date }): boolean {
  return kycCase.openedAt.getTime() <= end.recordedAt.getTime();
}

/** The outcome a case's retention is keyed on (see above). */
export const retentionOutcome = (kycCase: Pick<CaseFacts, "status" | "lastDecision">) =>
  kycCase.lastDecision ?? kycCase.status;

const specificity = (rule: { status?: string; trigger?: string }) =>
  (rule.status ? 2 : 0) + (rule.trigger ? 1 : 0);

/** Rules most specific first (outcome and trigger, outcome, trigger): the first that matches wins. */
function mostSpecificFirst<T extends { status?: string; trigger?: string }>(rules: T[]): T[] {
  return [...rules].sort((a, b) => specificity(b) - specificity(a));
}

/** The case rules, most specific first: the first that matches a case is its period. */
export function orderedCaseRules(policy: Pick<Periods, "caseRules">): CaseRetentionRule[] {
  return mostSpecificFirst(policy.caseRules);
}

const daysBefore = (now: Date, rules: RetentionDaysRule[]) =>
  mostSpecificFirst(rules).map((rule) => ({
    status: rule.status,
    trigger: rule.trigger,
    before: new Date(now.getTime() - rule.days * DAY_MS),
  }));

const matches = (rule: CaseRetentionRule, kycCase: CaseFacts) =>
  (!rule.status || rule.status === retentionOutcome(kycCase)) &&
  (!rule.trigger || rule.trigger === kycCase.trigger);

/** Years a case is kept after the trader's relationship ended. */
export function caseRetentionYears(
  policy: Pick<Periods, "caseYears" | "caseRules">,
  kycCase: CaseFacts,
): number {
  return orderedCaseRules(policy).find((r) => matches(r, kycCase))?.years ?? policy.caseYears;
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The same moment N years on. 29 February has no anniversary in a common year: the period ends
 * as 1 March begins, so the whole of 28 February is still kept (never a day short of N years)
 * and a later moment never falls due before an earlier one, which the purge's cut-off relies on.
 */
export function addYears(date: Date, years: number): Date {
  const year = date.getUTCFullYear() + years;
  if (date.getUTCMonth() === 1 && date.getUTCDate() === 29 && !isLeap(year))
    return new Date(Date.UTC(year, 2, 1));
  const next = new Date(date);
  next.setUTCFullYear(year);
  return next;
}

/**
 * The latest moment whose `addYears(…, years)` is at or before `now`: the purge's cut-off is the
 * exact inverse of the due date shown, so a case is never taken before that moment nor kept
 * after it. Subtracting years from 29 February would roll to 1 March of a common year and take
 * a case ended that day a day early: the cut-off is the end of 28 February.
 */
export function yearsBefore(now: Date, years: number): Date {
  const year = now.getUTCFullYear() - years;
  if (now.getUTCMonth() === 1 && now.getUTCDate() === 29 && !isLeap(year))
    return new Date(Date.UTC(year, 2, 1) - 1);
  return addYears(now, -years);
}

/**
 * At `now`, what is old enough to go: drafts touched at or before, decisions at or before, and
 * cases whose relationship ended at or before their rule's moment. Each with its rules most
 * specific first: the first that matches a case gives its moment, else the default one.
 */
export function cutoffs(policy: Periods, now: Date) {
  return {
    draftsTouchedBefore: new Date(now.getTime() - policy.draftDays * DAY_MS),
    draftRules: daysBefore(now, policy.draftRules),
    supersededDecidedBefore: new Date(now.getTime() - policy.supersededDays * DAY_MS),
    supersededRules: daysBefore(now, policy.supersededRules),
    relationshipEndedBefore: yearsBefore(now, policy.caseYears),
    caseRules: orderedCaseRules(policy).map((rule) => ({
      status: rule.status,
      trigger: rule.trigger,
      endedBefore: yearsBefore(now, rule.years),
    })),
  };
}

/** When a case's erasure is due: null while the relationship has not ended. */
export function caseErasureDue(
  policy: Pick<Periods, "caseYears" | "caseRules">,
  relationshipEndedAt: Date | null,
  kycCase: CaseFacts,
): Date | null {
  return relationshipEndedAt
    ? addYears(relationshipEndedAt, caseRetentionYears(policy, kycCase))
    : null;
}

/** When every one of the trader's cases is due (the latest of their dates). */
export function tradersErasureDue(
  policy: Pick<Periods, "caseYears" | "caseRules">,
  relationshipEndedAt: Date,
  cases: CaseFacts[],
): Date {
  const years =
    cases.length > 0
      ? Math.max(...cases.map((c) => caseRetentionYears(policy, c)))
      : policy.caseYears;
  return addYears(relationshipEndedAt, years);
}
