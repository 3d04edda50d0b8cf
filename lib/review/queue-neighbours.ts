/**
 * The cases before and after one case in the queue, for the case page's j / k shortcuts: the
 * queue tab that lists the case's status, in the queue's own order (oldest first).
 */
import type { CaseStatus } from "@/lib/db/schema";
import { loadQueue, QUEUES, type QueueName } from "./queue";
import type { Reviewer } from "./types";

export type QueueNeighbours = { previous: string | null; next: string | null };

function queueOf(status: CaseStatus): QueueName {
  const found = (Object.keys(QUEUES) as QueueName[]).find((q) =>
    (QUEUES[q] as readonly CaseStatus[]).includes(status),
  );
  return found ?? "review";
}

export async function queueNeighbours(
  staff: Reviewer,
  kycCase: { id: string; status: CaseStatus },
): Promise<QueueNeighbours> {
  const { rows } = await loadQueue(staff, { queue: queueOf(kycCase.status) });
  const ids = rows.map((r) => r.caseId);
  const at = ids.indexOf(kycCase.id);
  if (at < 0) return { previous: null, next: ids[0] ?? null };
  return { previous: ids[at - 1] ?? null, next: ids[at + 1] ?? null };
}
