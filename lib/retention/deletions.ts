/**
 * What the purge deletes besides whole cases, as its audit events record it: a replaced document or
 * what a refused upload's form may have left at its key (`retention.document_deleted`) and an
 * erased case's outbox events that settled after the erasure (`retention.outbox_deleted`). The
 * purge writes these payloads and /admin/retention reads them back through these schemas.
 */
import { z } from "zod";

export const DOCUMENT_DELETED = "retention.document_deleted";
export const OUTBOX_DELETED = "retention.outbox_deleted";
/**
 * The purge left a case it looked at: due for erasure but with an open hold task (once per task),
 * or a decided case's later round (an upgrade, a renewal, a retry) left as a draft past the draft
 * period, which is no abandoned draft, or a lapsed upgrade whose rollback was refused (once per
 * case and round).
 */
export const PURGE_DEFERRED = "retention.purge_deferred";

/**
 * A refused upload's audit event (`document.refused`, lib/db/queries/documents.ts writes it): it
 * counts against the case's file limit, and the purge reads it to delete what a replay of the
 * refused upload's form may have put at its key once that form expired.
 */
export const documentRefusedSchema = z.object({
  documentId: z.uuid(),
  documentType: z.string(),
  side: z.string(),
  reason: z.string(),
});

/**
 * What deleting a refused upload's bytes needs of its refusal when the rest does not read: an id
 * of the shape the purge's listing checks (lib/db/queries/retention.ts), RFC variant or not.
 */
export const refusedDocumentId = z.object({ documentId: z.guid() });

export const documentDeletedSchema = z.object({
  documentId: z.uuid(),
  sha256: z.string().nullable(),
  replacedAt: z.coerce.date().nullable(),
  /** Set for a refused upload: the check's reason (its bytes were never a document of the case). */
  refused: z.string().optional(),
});

export const outboxDeletedSchema = z.object({
  /** How many outbox events went, with their deliveries and attempts. */
  events: z.number().int().positive(),
});

export const LATER_ROUND_DRAFT = "later_round_draft";
/** A lapsed upgrade whose rollback was refused for a reason that will not go away by itself. */
export const UPGRADE_REFUSED = "upgrade_refused";
/**
 * Why: a screening hit confirmed as a match (the decline's refusal, or the database's approval
 * guard), or the approved round's answers could not be read back (nothing to restore: the
 * upgrade's uploads would stay the case's current documents).
 */
export const UPGRADE_REFUSALS = [
  "confirmed_match",
  "approval_guard",
  "approved_inputs_missing",
] as const;
export type UpgradeRefusal = (typeof UPGRADE_REFUSALS)[number];

/**
 * The purge rolled an upgrade the trader left as a draft back to the approval in force (the
 * state machine's `decline_upgrade`, by the system): the audit entry's action, and the rule and
 * dates it records beside the decline's data.
 */
export const UPGRADE_ROLLED_BACK = "retention.upgrade_rolled_back";
export const LAPSED_UPGRADE_RULE = "lapsed_upgrade";

export const upgradeRolledBackSchema = z.object({
  rule: z.literal(LAPSED_UPGRADE_RULE),
  /** The trader's last trace on the draft (the case, a draft, an upload, a vendor capture). */
  touchedAt: z.coerce.date(),
  /** The draft period's cut-off that applied (its trigger's): untouched since before it. */
  touchedBefore: z.coerce.date(),
  /** The unsent uploads deleted with their objects. */
  deletedDocuments: z.array(
    z.object({ id: z.uuid(), documentType: z.string(), sha256: z.string().nullable() }),
  ),
});

export const purgeDeferredSchema = z.union([
  z.object({
    /** The open monitoring-hit or late vendor verdict task the erasure waits for. */
    taskId: z.uuid(),
    kind: z.string(),
    openedAt: z.coerce.date(),
  }),
  z.object({
    /** The case stays whole: the decision in force is kept by the case's own rule. */
    reason: z.literal(LATER_ROUND_DRAFT),
    round: z.number().int().positive(),
    /** The trader's last trace on the draft (the case, a draft, an upload, a vendor capture). */
    touchedAt: z.coerce.date(),
  }),
  z.object({
    /** The upgrade stays a draft (once per case and round): an approver must act on the case. */
    reason: z.literal(UPGRADE_REFUSED),
    round: z.number().int().positive(),
    refused: z.enum(UPGRADE_REFUSALS),
    touchedAt: z.coerce.date(),
  }),
]);
