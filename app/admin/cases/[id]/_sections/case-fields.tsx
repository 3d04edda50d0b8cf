import type { CaseFile } from "@/lib/review/case-file";
import { SHOWN_FIELD } from "@/lib/review/shown-case";

/**
 * The fields every action form on the case page sends besides its own: the case; its event
 * sequence as this page showed it, so a decision taken on a case that changed since is refused
 * (lib/review/shown-case.ts); and the queue it was opened from, which the action's redirect keeps
 * so that j / k still walk that queue.
 */
export function CaseFields({ file }: { file: CaseFile }) {
  const { fromQueue, query } = file.neighbours;
  return (
    <>
      <input type="hidden" name="caseId" value={file.kycCase.id} />
      <input type="hidden" name={SHOWN_FIELD} value={file.kycCase.eventSeq} />
      {fromQueue ? <input type="hidden" name="queueQuery" value={query} /> : null}
    </>
  );
}
