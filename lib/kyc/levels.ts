/**
 * KYC levels (`kycType`). The foundation knows their ids and the default; the full,
 * broker-editable level config (steps, documents, limits) grows here with the verification flow.
 */
import { log } from "@/lib/log";

export const LEVELS = ["basic", "standard", "enhanced"] as const;
export type LevelId = (typeof LEVELS)[number];
export const DEFAULT_LEVEL: LevelId = "standard";

/** Unknown or missing kycType: the default level; an unknown value is logged, not shown. */
export function resolveLevel(kycType: string | undefined): LevelId {
  if (!kycType) return DEFAULT_LEVEL;
  if ((LEVELS as readonly string[]).includes(kycType)) return kycType as LevelId;
  log.warn("kyc.level.unknown", { kycType, fallback: DEFAULT_LEVEL });
  return DEFAULT_LEVEL;
}
