import { WAITING_STATUSES } from "@/lib/kyc/statuses";

/** Risk levels in order, and the four-eyes rule on them (FOUR_EYES_MIN_RISK). */
export const RISK_LEVELS = ["low", "medium", "high"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * Whether the risk on a case was assessed before its current round: the round was sent and waits
 * for a person, but its checks have not set a risk yet (or failed). A new round keeps the last
 * assessment until then (lib/db/queries/cases.ts), and the console marks it as an earlier one.
 * A re-screening hit recorded since the round was sent (`rescreenHitAt` at or after `queuedAt`,
 * the round's submit) is not earlier: the high risk it set is news about this round, until the
 * round's own checks screen its answers and set the risk from what they find.
 */
export function riskFromEarlierRound(
  kycCase: { status: string; riskLevel: string | null; queuedAt: Date },
  checksOfRoundRan: boolean,
  rescreenHitAt: Date | null,
): boolean {
  return (
    kycCase.riskLevel !== null &&
    !checksOfRoundRan &&
    (WAITING_STATUSES as readonly string[]).includes(kycCase.status) &&
    !(rescreenHitAt !== null && rescreenHitAt >= kycCase.queuedAt)
  );
}

/**
 * What the console says after a case's risk level, wherever it shows it (the case page's header
 * and its summary, the printable evidence), so none of them leaves a high level unexplained that
 * another explains: the level is the previous round's; a periodic review set a floor; a likely
 * screening hit escalated the case — as its risk record says (case_risk.escalated, kept until the
 * next submission run sets the risk afresh, also after people cleared the hit), or as the case
 * shows it now (a likely hit of its round, from a re-screening, carried from an earlier round, or
 * one an open monitoring task holds).
 */
export type RiskMark =
  { mark: "earlier_round" } | { mark: "floor"; floor: string } | { mark: "escalated" };

export function riskMarks(input: {
  fromEarlierRound: boolean;
  floor: string | null;
  /** case_risk.escalated (false: no risk recorded yet). */
  escalated: boolean;
  hits: readonly { level: string }[];
  openHitTask: boolean;
}): RiskMark[] {
  return [
    ...(input.fromEarlierRound ? [{ mark: "earlier_round" as const }] : []),
    ...(input.floor ? [{ mark: "floor" as const, floor: input.floor }] : []),
    ...(input.escalated || input.openHitTask || input.hits.some((h) => h.level === "likely")
      ? [{ mark: "escalated" as const }]
      : []),
  ];
}

/** At or above the configured level, an approval needs two different staff members. */
export function needsFourEyes(level: RiskLevel, threshold: RiskLevel): boolean {
  return RISK_LEVELS.indexOf(level) >= RISK_LEVELS.indexOf(threshold);
}
