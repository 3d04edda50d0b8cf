/**
 * What the console shows about retention: for one case its hold, the trader's relationship end,
 * the day the policy erases it, or its tombstone; and the list of /admin/retention.
 */
import "server-only";
import {
  getCaseRetention,
  getRelationship,
  listErasureRequests,
  listRetentionRows,
} from "@/lib/db/queries/retention";
import { env } from "@/lib/env";
import { caseErasureDue } from "./policy";
import { tombstoneSchema, type Tombstone } from "./tombstone";

export async function getCaseRetentionView(caseId: string, traderId: string) {
  const [row, relationship, requests] = await Promise.all([
    getCaseRetention(caseId),
    getRelationship(traderId),
    listErasureRequests(traderId),
  ]);
  return {
    legalHold: row?.legalHoldAt ? { at: row.legalHoldAt, reason: row.legalHoldReason ?? "" } : null,
    relationshipEndedAt: relationship?.endedAt ?? null,
    erasureDue: caseErasureDue(env().retention, relationship?.endedAt ?? null),
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
