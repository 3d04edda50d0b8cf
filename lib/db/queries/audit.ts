import { getDb } from "../client";
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
