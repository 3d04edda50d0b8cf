import { getDb, type Db } from "../client";
import { auditEvents } from "../schema";

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

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** An audit event written inside another change's transaction (e.g. a case decision). */
export function auditInTransaction(event: AuditInput): (tx: Tx) => Promise<void> {
  return async (tx) => {
    await tx.insert(auditEvents).values({ ...event, data: event.data ?? {} });
  };
}
