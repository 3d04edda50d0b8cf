/**
 * The cases before and after one case in the queue, for the case page's j / k shortcuts: the
 * queue tab that lists the case (a case whose approval in force, approved or with an upgrade
 * open, is held by an open monitoring hit or late vendor verdict task is in "Monitoring hits";
 * otherwise the tab of its status) or the queue the case was opened from, with its filters and
 * order, at any depth.
 */
import { approvalOnHold } from "@/lib/db/queries/hold-tasks";
import { getCaseAfterInQueue } from "@/lib/db/queries/queue";
import type { CaseStatus } from "@/lib/db/schema";
import { approvalInForce } from "@/lib/kyc/case-state";
import {
  parseQueueParams,
  queueContextQuery,
  queueFilterOf,
  QUEUES,
  type QueueName,
  type QueueQuery,
} from "./queue";
import type { Reviewer } from "./types";

type CaseInQueue = { id: string; status: CaseStatus; approvedLevel: string | null };

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

/** The tab that lists the case: the monitoring tab while its approval in force is held. */
async function queueOf(kycCase: CaseInQueue): Promise<QueueName> {
  if (approvalInForce(kycCase) && (await approvalOnHold(kycCase))) return "monitoring";
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
  kycCase: CaseInQueue,
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
