import { sql } from "drizzle-orm";
import { getDb, getDbHandle } from "../client";

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

/**
 * A NOTIFY on the same channel with a token instead of a case id: the process that sent it must
 * hear it back through its LISTEN, or its LISTEN is deaf (lib/live/case-status.ts).
 */
export async function notifyCaseStatusProbe(token: string): Promise<void> {
  const db = await getDb();
  await db.execute(sql`select pg_notify('case_status', ${token})`);
}
