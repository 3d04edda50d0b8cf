import { getDbHandle } from "../client";

/**
 * Case status changes as they commit (migration 0010's NOTIFY), from every app instance.
 * `onListen` runs each time the LISTEN is in place (again after a reconnect: DbHandle.listen).
 */
export async function listenCaseStatus(
  onCaseId: (caseId: string) => void,
  onListen?: () => void,
): Promise<() => Promise<void>> {
  const handle = await getDbHandle();
  return handle.listen("case_status", onCaseId, onListen);
}
