/** Risk levels in order, and the four-eyes rule on them (FOUR_EYES_MIN_RISK). */
export const RISK_LEVELS = ["low", "medium", "high"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** At or above the configured level, an approval needs two different staff members. */
export function needsFourEyes(level: RiskLevel, threshold: RiskLevel): boolean {
  return RISK_LEVELS.indexOf(level) >= RISK_LEVELS.indexOf(threshold);
}
