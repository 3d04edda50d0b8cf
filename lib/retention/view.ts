/**
 * What the console shows about retention: for one case its hold, the trader's relationship end,
 * the day the policy erases it, or its tombstone; and the lists of /admin/retention.
 */
import "server-only";
import {
  getCaseRetention,
  getRelationship,
  lastDecisions,
  listAuditEventsByAction,
  listErasureRequests,
  listRetentionRows,
} from "@/lib/db/queries/retention";
import { env } from "@/lib/env";
import {
  DOCUMENT_DELETED,
  documentDeletedSchema,
  OUTBOX_DELETED,
  outboxDeletedSchema,
  UPGRADE_ROLLED_BACK,
  upgradeRolledBackSchema,
} from "./deletions";
import { caseErasureDue } from "./policy";
import { tombstoneSchema, type Tombstone } from "./tombstone";

export async function getCaseRetentionView(kycCase: {
  id: string;
  traderId: string;
  status: string;
  trigger: string;
}) {
  const { id: caseId, traderId } = kycCase;
  const [row, relationship, requests, decided] = await Promise.all([
    getCaseRetention(caseId),
    getRelationship(traderId),
    listErasureRequests(traderId),
    lastDecisions([caseId]),
  ]);
  const facts = { ...kycCase, lastDecision: decided.get(caseId) ?? null };
  return {
    legalHold: row?.legalHoldAt ? { at: row.legalHoldAt, reason: row.legalHoldReason ?? "" } : null,
    relationshipEndedAt: relationship?.endedAt ?? null,
    erasureDue: caseErasureDue(env().retention, relationship?.endedAt ?? null, facts),
    latestErasureRequest: requests[0] ?? null,
    tombstone: row?.purgedAt && row.tombstone ? tombstoneSchema.parse(row.tombstone) : null,
  };
}

export type RetentionListRow =
  | { kind: "purged"; caseId: string; at: Date; tombstone: Tombstone }
  | { kind: "hold"; caseId: string; at: Date; reason: string };

export async function listRetention(): Promise<RetentionListRow[]> {
  return (await listRetentionRows()).flatMap((row): RetentionListRow[] => {
    if (row.purgedAt && row.tombstone)
      return [
        {
          kind: "purged",
          caseId: row.caseId,
          at: row.purgedAt,
          tombstone: tombstoneSchema.parse(row.tombstone),
        },
      ];
    if (row.legalHoldAt)
      return [
        {
          kind: "hold",
          caseId: row.caseId,
          at: row.legalHoldAt,
          reason: row.legalHoldReason ?? "",
        },
      ];
    return [];
  });
}

export type RetentionDeletion =
  | { kind: "document"; caseId: string; at: Date; documentId: string }
  | { kind: "outbox"; caseId: string; at: Date; events: number }
  | { kind: "upgrade"; caseId: string; at: Date; documents: number; touchedAt: Date };

/**
 * Replaced documents and settled outbox events the purge deleted, and lapsed upgrades it rolled
 * back with their unsent uploads, newest first.
 */
export async function listRetentionDeletions(): Promise<RetentionDeletion[]> {
  const rows = await listAuditEventsByAction([
    DOCUMENT_DELETED,
    OUTBOX_DELETED,
    UPGRADE_ROLLED_BACK,
  ]);
  return rows.flatMap((row): RetentionDeletion[] => {
    if (!row.caseId) return [];
    if (row.action === UPGRADE_ROLLED_BACK) {
      const data = upgradeRolledBackSchema.parse(row.data);
      return [
        {
          kind: "upgrade",
          caseId: row.caseId,
          at: row.occurredAt,
          documents: data.deletedDocuments.length,
          touchedAt: data.touchedAt,
        },
      ];
    }
    if (row.action === DOCUMENT_DELETED) {
      const data = documentDeletedSchema.parse(row.data);
      return [
        { kind: "document", caseId: row.caseId, at: row.occurredAt, documentId: data.documentId },
      ];
    }
    const data = outboxDeletedSchema.parse(row.data);
    return [{ kind: "outbox", caseId: row.caseId, at: row.occurredAt, events: data.events }];
  });
}
