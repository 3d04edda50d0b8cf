/**
 * The retention policy as dates: from the configured periods (RETENTION_*) and a moment, the
 * cut-offs the purge compares with, and for one case the day its erasure becomes due. Pure, so
 * the boundaries are tested without a database.
 */
import type { Env } from "@/lib/env";

const DAY_MS = 86_400_000;

type Periods = Pick<Env["retention"], "draftDays" | "supersededDays" | "caseYears">;

export function addYears(date: Date, years: number): Date {
  const next = new Date(date);
  next.setUTCFullYear(next.getUTCFullYear() + years);
  return next;
}

/** At `now`, what is old enough to go: drafts touched at or before, decisions at or before… */
export function cutoffs(policy: Periods, now: Date) {
  return {
    draftsTouchedBefore: new Date(now.getTime() - policy.draftDays * DAY_MS),
    supersededDecidedBefore: new Date(now.getTime() - policy.supersededDays * DAY_MS),
    relationshipEndedBefore: addYears(now, -policy.caseYears),
  };
}

/** When a decided case's erasure is due: null while the relationship has not ended. */
export function caseErasureDue(policy: Periods, relationshipEndedAt: Date | null): Date | null {
  return relationshipEndedAt ? addYears(relationshipEndedAt, policy.caseYears) : null;
}
