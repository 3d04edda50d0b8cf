import { and, asc, desc, eq, gte, isNotNull, sql } from "drizzle-orm";
import { getDb, type Db } from "../client";
import { auditEvents, type AuditEvent } from "../schema";

export type AuditInput = {
  actorType: "trader" | "staff" | "system" | "ctrader";
  actorId: string;
  action: string;
  caseId?: string | null;
  traderId?: string | null;
  data?: Record<string, unknown>;
  occurredAt?: Date;
};

export async function appendAuditEvent(event: AuditInput): Promise<void> {
  const db = await getDb();
  await db.insert(auditEvents).values({ ...event, data: event.data ?? {} });
}

/** An audit event appended as `appendAuditEvent` does, returned with the chain's seq and hash. */
export async function appendAuditEventReturning(event: AuditInput): Promise<AuditEvent> {
  const db = await getDb();
  const [row] = await db
    .insert(auditEvents)
    .values({ ...event, data: event.data ?? {} })
    .returning();
  if (!row) throw new Error("appendAuditEventReturning: no row returned");
  return row;
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** An audit event written inside another change's transaction (e.g. a case decision). */
export function auditInTransaction(event: AuditInput): (tx: Tx) => Promise<void> {
  return async (tx) => {
    await tx.insert(auditEvents).values({ ...event, data: event.data ?? {} });
  };
}

/** The case's audit rows in chain order, with their chain fields (for the evidence export). */
export async function listCaseAuditEvents(caseId: string): Promise<AuditEvent[]> {
  const db = await getDb();
  return db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.caseId, caseId))
    .orderBy(asc(auditEvents.seq), asc(auditEvents.id));
}

/** The data of the case's audit events of `action` since `since`, oldest first. */
export async function listCaseAuditData(
  caseId: string,
  action: string,
  since: Date,
): Promise<unknown[]> {
  const db = await getDb();
  const rows = await db
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.caseId, caseId),
        eq(auditEvents.action, action),
        gte(auditEvents.occurredAt, since),
      ),
    )
    .orderBy(asc(auditEvents.seq), asc(auditEvents.id));
  return rows.map((r) => r.data);
}

/** The case's audit event of `action` about the check run `runId` (its data names the run). */
export async function getRunAuditEvent(
  caseId: string,
  action: string,
  runId: string,
): Promise<AuditEvent | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.caseId, caseId),
        eq(auditEvents.action, action),
        sql`${auditEvents.data} ->> 'runId' = ${runId}`,
      ),
    )
    .orderBy(asc(auditEvents.id))
    .limit(1);
  return row;
}

/** The newest link of the audit chain: whoever holds it can check nothing before it changed. */
export async function getAuditChainHead(): Promise<{ seq: number; hash: string } | null> {
  const db = await getDb();
  const [row] = await db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(isNotNull(auditEvents.seq))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row?.seq != null && row.hash ? { seq: row.seq, hash: row.hash } : null;
}
