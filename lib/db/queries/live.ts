import { sql } from "drizzle-orm";
import { getDb, getDbHandle, type DbHandle } from "../client";

/** What a LISTEN is registered with: the process's database handle (tests put others in place). */
export type ListenSource = Pick<DbHandle, "listen">;

export async function caseStatusSource(): Promise<ListenSource> {
  return getDbHandle();
}

/**
 * Case status changes as they commit (migration 0010's NOTIFY), from every app instance, for
 * the life of the handle: register once per handle (DbHandle.listen). `onListen` runs each time
 * the LISTEN is in place, again after a reconnect, also when this first attempt was refused.
 */
export async function listenCaseStatus(
  source: ListenSource,
  onCaseId: (caseId: string) => void,
  onListen: () => void,
): Promise<void> {
  await source.listen("case_status", onCaseId, onListen);
}

/**
 * A NOTIFY on the same channel with a token instead of a case id: the process that sent it must
 * hear it back through its LISTEN, or its LISTEN is deaf (lib/live/case-status.ts).
 */
export async function notifyCaseStatusProbe(token: string): Promise<void> {
  const db = await getDb();
  await db.execute(sql`select pg_notify('case_status', ${token})`);
}
