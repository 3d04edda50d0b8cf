/**
 * The review queue as the console shows it: which statuses each tab lists, and the filters a
 * reviewer sets in the URL, validated here (unknown values are ignored, never an error).
 */
import { listQueue, type QueueRow } from "@/lib/db/queries/review";
import type { CaseStatus } from "@/lib/db/schema";
import type { Reviewer } from "./types";

export const QUEUES = {
  review: ["submitted", "resubmitted", "in_review"],
  waiting: ["action_required"],
  monitoring: ["approved"],
  /** Approved cases due for their periodic review (lib/review/periodic.ts). */
  periodic: ["approved"],
  decided: ["approved", "rejected"],
  /** Cases the trader has not sent yet: staff may still reject one (fraud, a duplicate). */
  drafts: ["draft"],
} as const satisfies Record<string, readonly CaseStatus[]>;
export type QueueName = keyof typeof QUEUES;

export type QueueQuery = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

export type QueueView = { queue: QueueName; rows: QueueRow[]; now: Date };

export async function loadQueue(
  staff: Reviewer,
  q: QueueQuery,
  now = new Date(),
): Promise<QueueView> {
  const requested = one(q.queue);
  const queue: QueueName = requested && requested in QUEUES ? (requested as QueueName) : "review";
  const assignee =
    one(q.assignee) === "me"
      ? staff.id
      : one(q.assignee) === "unassigned"
        ? "unassigned"
        : undefined;
  const minHours = Number(one(q.minHours));
  const rows = await listQueue({
    statuses: [...QUEUES[queue]],
    level: one(q.level)?.slice(0, 40) || undefined,
    risk: ["low", "medium", "high"].includes(one(q.risk) ?? "") ? one(q.risk) : undefined,
    assignee,
    minWaitingHours: minHours > 0 ? Math.min(minHours, 24 * 365) : undefined,
    monitoringHit: queue === "monitoring" || one(q.monitoring) === "1",
    escalated: one(q.escalated) === "1",
    periodicReview: queue === "periodic",
    now,
    limit: 200,
  });
  return { queue, rows, now };
}
