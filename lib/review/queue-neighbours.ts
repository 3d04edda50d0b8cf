/**
 * The cases before and after one case in the queue, for the case page's j / k shortcuts: the
 * queue tab that lists the case (an approved case with an open monitoring hit or late vendor
 * verdict task is in "Monitoring hits", otherwise in "Decided") or the queue the case was opened
 * from, with its filters and order, at any depth.
 */
import { HOLD_TASK_KINDS } from "@/lib/db/queries/hold-tasks";
import { getCaseAfterInQueue } from "@/lib/db/queries/queue";
import { getOpenReviewTask } from "@/lib/db/queries/review";
import type { CaseStatus } from "@/lib/db/schema";
import {
  parseQueueParams,
  queueContextQuery,
  queueFilterOf,
  QUEUES,
  type QueueName,
  type QueueQuery,
} from "./queue";
import type { Reviewer } from "./types";

export type QueueNeighbours = {
  previous: string | null;
  next: string | null;
  /** The queue walked, as the URL query its case links and its "back to the queue" carry. */
  query: string;
  /**
   * Whether the page's URL named that queue (the case was opened from it): then the page's forms
   * carry `query` too, and an action's redirect keeps the walk in it.
   */
  fromQueue: boolean;
};

async function queueOf(kycCase: { id: string; status: CaseStatus }): Promise<QueueName> {
  if (kycCase.status === "approved") {
    const tasks = await Promise.all(
      HOLD_TASK_KINDS.map((kind) => getOpenReviewTask(kycCase.id, kind)),
    );
    return tasks.some(Boolean) ? "monitoring" : "decided";
  }
  const tabs: QueueName[] = ["review", "waiting", "decided", "drafts"];
  return (
    tabs.find((q) => (QUEUES[q] as readonly CaseStatus[]).includes(kycCase.status)) ?? "review"
  );
}

/**
 * `from`: the case page's URL query. A case opened from the queue carries the queue's tab,
 * filters and order (queueContextQuery), and j / k walk exactly that; a case reached otherwise
 * walks the tab that lists it, in the default order.
 */
export async function queueNeighbours(
  staff: Reviewer,
  kycCase: { id: string; status: CaseStatus },
  from: QueueQuery = {},
  now = new Date(),
): Promise<QueueNeighbours> {
  const fromQueue = Boolean(from.queue);
  const params = parseQueueParams(fromQueue ? from : { queue: await queueOf(kycCase) });
  const filter = queueFilterOf(staff, params, now);
  const [next, previous] = await Promise.all([
    getCaseAfterInQueue(filter, kycCase.id, "after"),
    getCaseAfterInQueue(filter, kycCase.id, "before"),
  ]);
  return { previous, next, query: queueContextQuery(params), fromQueue };
}
