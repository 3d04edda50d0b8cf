/**
 * The cases before and after one case in the queue, for the case page's j / k shortcuts: the
 * queue tab that lists the case (an approved case with an open monitoring hit or late vendor
 * verdict task is in "Monitoring hits", otherwise in "Decided"), in the queue's own order (oldest first), at any depth.
 */
import { MONITORING_TASK } from "@/lib/db/queries/checks";
import { getCaseAfterInQueue } from "@/lib/db/queries/queue";
import { VENDOR_VERDICT_TASK } from "@/lib/db/queries/vendors";
import { getOpenReviewTask } from "@/lib/db/queries/review";
import type { CaseStatus } from "@/lib/db/schema";
import { parseQueueParams, queueFilterOf, QUEUES, type QueueName } from "./queue";
import type { Reviewer } from "./types";

export type QueueNeighbours = { previous: string | null; next: string | null };

async function queueOf(kycCase: { id: string; status: CaseStatus }): Promise<QueueName> {
  if (kycCase.status === "approved") {
    const tasks = await Promise.all(
      [MONITORING_TASK, VENDOR_VERDICT_TASK].map((kind) => getOpenReviewTask(kycCase.id, kind)),
    );
    return tasks.some(Boolean) ? "monitoring" : "decided";
  }
  const tabs: QueueName[] = ["review", "waiting", "decided", "drafts"];
  return (
    tabs.find((q) => (QUEUES[q] as readonly CaseStatus[]).includes(kycCase.status)) ?? "review"
  );
}

export async function queueNeighbours(
  staff: Reviewer,
  kycCase: { id: string; status: CaseStatus },
  now = new Date(),
): Promise<QueueNeighbours> {
  const filter = queueFilterOf(staff, parseQueueParams({ queue: await queueOf(kycCase) }), now);
  const [next, previous] = await Promise.all([
    getCaseAfterInQueue({ ...filter, sort: "oldest" }, kycCase.id),
    getCaseAfterInQueue({ ...filter, sort: "newest" }, kycCase.id),
  ]);
  return { previous, next };
}
