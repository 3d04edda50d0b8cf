import type { CaseFile } from "@/lib/review/case-file";

/**
 * The fields every action form on the case page sends besides its own: the case, and the queue
 * it was opened from, which the action's redirect keeps so that j / k still walk that queue.
 */
export function CaseFields({ file }: { file: CaseFile }) {
  const { fromQueue, query } = file.neighbours;
  return (
    <>
      <input type="hidden" name="caseId" value={file.kycCase.id} />
      {fromQueue ? <input type="hidden" name="queueQuery" value={query} /> : null}
    </>
  );
}
