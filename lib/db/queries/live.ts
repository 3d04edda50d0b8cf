import { getDbHandle } from "../client";

/** Case status changes as they commit (migration 0010's NOTIFY), from every app instance. */
export async function listenCaseStatus(
  onCaseId: (caseId: string) => void,
): Promise<() => Promise<void>> {
  const handle = await getDbHandle();
  return handle.listen("case_status", onCaseId);
}
