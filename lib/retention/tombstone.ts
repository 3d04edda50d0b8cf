/**
 * What stays of a purged case (case_retention.tombstone): enough to prove what was decided and
 * when, and that the erased data was what the audit trail refers to — no personal data. The
 * purge writes it and the console reads it through this one schema.
 */
import { z } from "zod";

export const PURGE_RULES = ["abandoned_draft", "relationship_ended", "erasure_request"] as const;
export type PurgeRule = (typeof PURGE_RULES)[number];

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const tombstoneSchema = z.object({
  caseId: z.uuid(),
  traderId: z.uuid(),
  level: z.string(),
  /**
   * What was decided: the case's last decision (approved or rejected), its status only when it
   * never had one (lib/retention/policy.ts retentionOutcome), as its retention was keyed on.
   */
  outcome: z.string(),
  /** The status the erasure found (an expired approval, an upgrade left open); absent on older tombstones. */
  statusAtErasure: z.string().optional(),
  rule: z.enum(PURGE_RULES),
  openedAt: z.iso.datetime({ offset: true }),
  decidedAt: z.iso.datetime({ offset: true }).nullable(),
  relationshipEndedAt: z.iso.datetime({ offset: true }).nullable(),
  purgedAt: z.iso.datetime({ offset: true }),
  /** SHA-256 of each round's sealed answers as stored (what a backup copy would hold). */
  submissions: z.array(z.object({ round: z.number().int(), sha256 })),
  /** Each document's id and the SHA-256 of its stored (checked) content, when it had one. */
  documents: z.array(z.object({ id: z.uuid(), sha256: sha256.nullable() })),
});
export type Tombstone = z.infer<typeof tombstoneSchema>;

/**
 * A stored tombstone as its readers see it: one that does not parse (an older or odd shape) comes
 * back as stored, for the console to show as such and the subject-access export to carry as it
 * is, never a crash of the page or the export.
 */
export type ReadTombstone = { ok: true; tombstone: Tombstone } | { ok: false; raw: unknown };

export function readTombstone(stored: unknown): ReadTombstone {
  const parsed = tombstoneSchema.safeParse(stored);
  return parsed.success ? { ok: true, tombstone: parsed.data } : { ok: false, raw: stored };
}
