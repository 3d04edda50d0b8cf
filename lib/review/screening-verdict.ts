/**
 * The data of a verdict on a screening hit: the case decision `screening_false_positive` or
 * `screening_confirmed`. Written by lib/review/screening-hits.ts judgeScreeningHit; read there
 * (the verdicts on each hit), by the dashboard (lib/review/dashboard.ts, and in SQL by
 * lib/db/queries/dashboard.ts through `keyof ScreeningVerdictData`, so a renamed field fails to
 * compile there), and by the database's approval trigger (`hitKey`, `strength`, `score` and
 * `role`, drizzle/0058 `case_uncleared_likely_hits`).
 */
import { z } from "zod";
import { storedHitSchema, type StoredHit } from "@/lib/checks/evidence";
import { staffRole } from "@/lib/db/schema";

export const screeningVerdictData = z.strictObject({
  /** lib/checks/evidence.ts `hitKey`: list and entry, stable across runs. */
  hitKey: z.string().min(1),
  source: storedHitSchema.shape.source,
  entryId: storedHitSchema.shape.entryId,
  /** A likely hit needs two different people to clear it. */
  level: storedHitSchema.shape.level,
  score: storedHitSchema.shape.score,
  listedName: storedHitSchema.shape.listedName,
  /** The run whose sighting of the hit was judged (its strongest in the round). */
  runId: z.string().min(1),
  /**
   * The judged sighting's evidence before the score's cap at 1 (`hitStrength`): the name's
   * score plus the date of birth's and nationality's adjustments. Absent on verdicts stored
   * before it was recorded (their `score` stands in).
   */
  strength: z.number().optional(),
  /**
   * The clearer's role when they judged: the database's approval guard (drizzle/0058) asks that
   * one of a likely hit's two clearings be an approver's. Absent on verdicts stored before.
   */
  role: z.enum(staffRole.enumValues).optional(),
});
export type ScreeningVerdictData = z.infer<typeof screeningVerdictData>;

/**
 * How strongly a sighting matches the listed person, uncapped: an exact name scores 1 whatever
 * the date of birth says, so the capped score cannot show that a corrected date now agrees.
 */
export function hitStrength(hit: Pick<StoredHit, "explanation">): number {
  return hit.explanation.nameScore + hit.explanation.adjustment;
}

/**
 * The level a reader counts for a verdict's hit: one that is missing or unknown counts as
 * likely, so that a verdict that does not say its level never lets one person clear a hit.
 */
export function verdictLevel(level: unknown): ScreeningVerdictData["level"] {
  const parsed = screeningVerdictData.shape.level.safeParse(level);
  return parsed.success ? parsed.data : "likely";
}
