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
  listUnsettledAuditFailures,
} from "@/lib/db/queries/retention";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import {
  DOCUMENT_DELETED,
  documentDeletedSchema,
  OUTBOX_DELETED,
  outboxDeletedSchema,
  UPGRADE_ROLLED_BACK,
  upgradeRolledBackSchema,
} from "./deletions";
import { ERASURE_REQUESTED, erasureRequestedData, type ErasureRequestedData } from "./erasure-data";
import { caseErasureDue, endCovers } from "./policy";
import { readTombstone, type ReadTombstone } from "./tombstone";

/**
 * A stored tombstone, read without throwing: one in an older or odd shape is logged and shown as
 * stored, so that one such row cannot take down the case page or /admin/retention.
 */
function tombstoneOf(caseId: string, stored: unknown): ReadTombstone {
  const read = readTombstone(stored);
  if (!read.ok) log.error("retention.tombstone_unreadable", { caseId });
  return read;
}

export async function getCaseRetentionView(kycCase: {
  id: string;
  traderId: string;
  status: string;
  trigger: string;
  openedAt: Date;
}) {
  const { id: caseId, traderId } = kycCase;
  const [row, relationship, requests, decided] = await Promise.all([
    getCaseRetention(caseId),
    getRelationship(traderId),
    listErasureRequests(traderId),
    lastDecisions([caseId]),
  ]);
  const facts = { ...kycCase, lastDecision: decided.get(caseId) ?? null };
  const endedAt = relationship && endCovers(relationship, kycCase) ? relationship.endedAt : null;
  return {
    legalHold: row?.legalHoldAt ? { at: row.legalHoldAt, reason: row.legalHoldReason ?? "" } : null,
    relationshipEndedAt: endedAt,
    erasureDue: caseErasureDue(env().retention, endedAt, facts),
    latestErasureRequest: requests[0] ?? null,
    purged:
      row?.purgedAt && row.tombstone
        ? { at: row.purgedAt, tombstone: tombstoneOf(caseId, row.tombstone) }
        : null,
  };
}

export type RetentionListRow =
  | { kind: "purged"; caseId: string; at: Date; tombstone: ReadTombstone }
  | { kind: "hold"; caseId: string; at: Date; reason: string };

/** The most rows each long list of /admin/retention shows; the page says when there are more. */
export const RETENTION_LIST_LIMIT = 200;

/** Cases on hold, and the newest purged cases with how many were purged in all. */
export async function listRetention(): Promise<{ rows: RetentionListRow[]; purgedTotal: number }> {
  const { held, purged, purgedTotal } = await listRetentionRows(RETENTION_LIST_LIMIT);
  const rows = [...held, ...purged].flatMap((row): RetentionListRow[] => {
    if (row.purgedAt && row.tombstone)
      return [
        {
          kind: "purged",
          caseId: row.caseId,
          at: row.purgedAt,
          tombstone: tombstoneOf(row.caseId, row.tombstone),
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
  return { rows, purgedTotal };
}

export type RetentionDeletion =
  | { kind: "document"; caseId: string; at: Date; documentId: string }
  | { kind: "outbox"; caseId: string; at: Date; events: number }
  | { kind: "upgrade"; caseId: string; at: Date; documents: number; touchedAt: Date }
  | { kind: "unrecognised"; caseId: string; at: Date; action: string; raw: unknown };

/**
 * Replaced documents and settled outbox events the purge deleted, and lapsed upgrades it rolled
 * back with their unsent uploads, newest first: the newest RETENTION_LIST_LIMIT, with how many
 * there are in all. An entry whose data does not parse (an older or
 * odd shape) is logged and listed as stored (`unrecognised`), never dropped and never a crash.
 */
export async function listRetentionDeletions(): Promise<{
  deletions: RetentionDeletion[];
  total: number;
}> {
  const { rows, total } = await listAuditEventsByAction(
    [DOCUMENT_DELETED, OUTBOX_DELETED, UPGRADE_ROLLED_BACK],
    RETENTION_LIST_LIMIT,
  );
  const deletions = rows.flatMap((row): RetentionDeletion[] => {
    if (!row.caseId) return [];
    const { caseId, occurredAt: at } = row;
    const unrecognised = (): RetentionDeletion[] => {
      log.error("retention.deletion_unreadable", { caseId, action: row.action });
      return [{ kind: "unrecognised", caseId, at, action: row.action, raw: row.data }];
    };
    if (row.action === UPGRADE_ROLLED_BACK) {
      const data = upgradeRolledBackSchema.safeParse(row.data);
      if (!data.success) return unrecognised();
      const { deletedDocuments, touchedAt } = data.data;
      return [{ kind: "upgrade", caseId, at, documents: deletedDocuments.length, touchedAt }];
    }
    if (row.action === DOCUMENT_DELETED) {
      const data = documentDeletedSchema.safeParse(row.data);
      if (!data.success) return unrecognised();
      return [{ kind: "document", caseId, at, documentId: data.data.documentId }];
    }
    const data = outboxDeletedSchema.safeParse(row.data);
    if (!data.success) return unrecognised();
    return [{ kind: "outbox", caseId, at, events: data.data.events }];
  });
  return { deletions, total };
}

export type FailedErasure = { caseId: string; at: Date; objectsDeleted: number };

/**
 * Erasure requests an error stopped (the storage, part-way through a case's files), newest first,
 * each until a request recorded again for the same trader was executed: until then the trader's
 * data is held against their request, and only an admin recording it again finishes the erasure.
 * Chosen by the database, not from a window of recent entries: a failure stays listed however
 * much else was audited since. The newest RETENTION_LIST_LIMIT, with how many wait in all. An
 * entry whose data does not parse is logged and left out: what it did is not known.
 */
export async function listFailedErasures(): Promise<{ failed: FailedErasure[]; total: number }> {
  const { rows, total } = await listUnsettledAuditFailures(
    ERASURE_REQUESTED,
    {
      failed: "failed",
      settled: "executed",
    } satisfies Record<string, ErasureRequestedData["outcome"]>,
    RETENTION_LIST_LIMIT,
  );
  const failed = rows.flatMap((row): FailedErasure[] => {
    if (!row.caseId || !row.traderId) return [];
    const data = erasureRequestedData.safeParse(row.data);
    if (!data.success || data.data.outcome !== "failed") {
      log.error("retention.erasure_request_unreadable", { caseId: row.caseId });
      return [];
    }
    return [{ caseId: row.caseId, at: row.occurredAt, objectsDeleted: data.data.objectsDeleted }];
  });
  return { failed, total };
}
