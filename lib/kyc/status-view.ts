/**
 * What the status screen shows, computed from the case: the timeline, the reviewer's message
 * when something is needed, the document checklist, and whether a review time applies.
 */
import { listCaseEvents } from "@/lib/db/queries/cases";
import type { KycCase } from "@/lib/db/schema";
import { getLevel } from "./levels";

export type TimelineEntry = { event: string; at: Date };
export type DocumentCheck = {
  documentType: string;
  state: "missing" | "uploaded" | "checking" | "accepted" | "retake";
};

export type StatusView = {
  timeline: TimelineEntry[];
  requiredAction: string | null;
  documents: DocumentCheck[];
  awaitingReview: boolean;
};

const AWAITING_REVIEW = new Set(["submitted", "in_review", "resubmitted"]);

export async function statusView(kycCase: KycCase): Promise<StatusView> {
  const events = await listCaseEvents(kycCase.id);
  const latest = events.at(-1);
  return {
    timeline: [
      { event: "opened", at: kycCase.openedAt },
      ...events.map((e) => ({ event: e.event, at: e.occurredAt })),
    ],
    requiredAction:
      kycCase.status === "action_required" && latest?.toStatus === "action_required"
        ? (latest.messageForTrader ?? null)
        : null,
    // Documents are listed from the level; their states arrive with document upload.
    documents: getLevel(kycCase.level).documents.map((documentType) => ({
      documentType,
      state: "missing",
    })),
    awaitingReview: AWAITING_REVIEW.has(kycCase.status),
  };
}
