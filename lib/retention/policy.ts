/**
 * The retention policy as dates: from the configured periods (RETENTION_*) and a moment, the
 * cut-offs the purge compares with, and for one case the day its erasure becomes due. Pure, so
 * the boundaries are tested without a database.
 */
import type { Env } from "@/lib/env";

const DAY_MS = 86_400_000;

type Periods = Pick<Env["retention"], "draftDays" | "supersededDays" | "caseYears">;

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

/** At `now`, what is old enough to go: drafts touched at or before, decisions at or before… */
export function cutoffs(policy: Periods, now: Date) {
  return {
    draftsTouchedBefore: new Date(now.getTime() - policy.draftDays * DAY_MS),
    supersededDecidedBefore: new Date(now.getTime() - policy.supersededDays * DAY_MS),
    relationshipEndedBefore: yearsBefore(now, policy.caseYears),
  };
}

/** When a decided case's erasure is due: null while the relationship has not ended. */
export function caseErasureDue(policy: Periods, relationshipEndedAt: Date | null): Date | null {
  return relationshipEndedAt ? addYears(relationshipEndedAt, policy.caseYears) : null;
}
