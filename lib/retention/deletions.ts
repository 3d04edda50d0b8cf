/**
 * What the purge deletes besides whole cases, as its audit events record it: a replaced document
 * (`retention.document_deleted`) and an erased case's outbox events that settled after the
 * erasure (`retention.outbox_deleted`). The purge writes these payloads and /admin/retention
 * reads them back through these schemas.
 */
import { z } from "zod";

export const DOCUMENT_DELETED = "retention.document_deleted";
export const OUTBOX_DELETED = "retention.outbox_deleted";

export const documentDeletedSchema = z.object({
  documentId: z.uuid(),
  sha256: z.string().nullable(),
  replacedAt: z.coerce.date().nullable(),
});

export const outboxDeletedSchema = z.object({
  /** How many outbox events went, with their deliveries and attempts. */
  events: z.number().int().positive(),
});
