/**
 * The console's audit log: audit_events filtered by actor, case, action and period, newest first
 * (indexes in lib/db/schema/audit-events.ts), and the record of chain verifications.
 */
import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { getDb, type Db } from "../client";
import {
  auditEvents,
  auditVerifications,
  staffUsers,
  traders,
  type AuditEvent,
  type AuditVerification,
} from "../schema";
import { executedRows } from "./rows";

export type AuditLogFilter = {
  actor?: { type: "staff" | "trader" | "system" | "ctrader"; id?: string };
  caseId?: string;
  action?: string;
  /** Inclusive lower bound of occurred_at. */
  from?: Date;
  /** Exclusive upper bound of occurred_at. */
  before?: Date;
};

function conditions(filter: AuditLogFilter): SQL | undefined {
  const where: (SQL | undefined)[] = [];
  if (filter.actor) {
    where.push(eq(auditEvents.actorType, filter.actor.type));
    if (filter.actor.id) where.push(eq(auditEvents.actorId, filter.actor.id));
  }
  if (filter.caseId) where.push(eq(auditEvents.caseId, filter.caseId));
  if (filter.action) where.push(eq(auditEvents.action, filter.action));
  if (filter.from) where.push(gte(auditEvents.occurredAt, filter.from));
  if (filter.before) where.push(lt(auditEvents.occurredAt, filter.before));
  return and(...where);
}

export type AuditLogPage = {
  limit: number;
  offset?: number;
  /** Continue below this row (keyset, for the export). */
  after?: { occurredAt: Date; id: number };
};

/**
 * The query behind a page of the log, not yet run (exported so a test can check its plan):
 * newest first, id breaking ties.
 */
export function auditLogQuery(db: Db, filter: AuditLogFilter, page: AuditLogPage) {
  const after = page.after
    ? or(
        lt(auditEvents.occurredAt, page.after.occurredAt),
        and(eq(auditEvents.occurredAt, page.after.occurredAt), lt(auditEvents.id, page.after.id)),
      )
    : undefined;
  return db
    .select()
    .from(auditEvents)
    .where(and(conditions(filter), after))
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
    .limit(page.limit)
    .offset(page.offset ?? 0);
}

export async function listAuditLog(
  filter: AuditLogFilter,
  page: AuditLogPage,
): Promise<AuditEvent[]> {
  return auditLogQuery(await getDb(), filter, page);
}

/** Display names of these staff members and e-mails of these traders (ids not found left out). */
export async function getActorNames(ids: {
  staff: string[];
  traders: string[];
}): Promise<{ staff: Map<string, string>; traders: Map<string, string> }> {
  const db = await getDb();
  const [staff, traderRows] = await Promise.all([
    ids.staff.length
      ? db
          .select({ id: staffUsers.id, name: staffUsers.displayName })
          .from(staffUsers)
          .where(inArray(staffUsers.id, ids.staff))
      : [],
    ids.traders.length
      ? db
          .select({ id: traders.id, email: traders.email })
          .from(traders)
          .where(inArray(traders.id, ids.traders))
      : [],
  ]);
  return {
    staff: new Map(staff.map((s) => [s.id, s.name])),
    traders: new Map(traderRows.flatMap((t) => (t.email ? [[t.id, t.email] as const] : []))),
  };
}

/** Every console account by name, for the actor filter (disabled ones too: they acted once). */
export async function listStaffNames(): Promise<{ id: string; name: string; email: string }[]> {
  const db = await getDb();
  return db
    .select({ id: staffUsers.id, name: staffUsers.displayName, email: staffUsers.email })
    .from(staffUsers)
    .orderBy(asc(staffUsers.displayName), asc(staffUsers.email));
}

/**
 * The distinct values of one indexed column, read as a loose index scan (one index probe per
 * value), so the filter's choices cost as many probes as there are values, not a table scan.
 */
async function distinctValues(query: SQL): Promise<string[]> {
  const db = await getDb();
  const result = (await db.execute(query)) as unknown;
  const rows = executedRows<{
    value: string | null;
  }>(result);
  return rows.flatMap((r) => (r.value === null ? [] : [r.value]));
}

/** Every action recorded so far. */
export function listAuditActions(): Promise<string[]> {
  return distinctValues(sql`
    with recursive actions(value) as (
      (select action from audit_events order by action limit 1)
      union all
      select (select action from audit_events where action > actions.value order by action limit 1)
      from actions where actions.value is not null
    )
    select value from actions`);
}

/** The system components that acted (audit-signer, worker, …). */
export function listSystemActors(): Promise<string[]> {
  return distinctValues(sql`
    with recursive actors(value) as (
      (select actor_id from audit_events where actor_type = 'system' order by actor_id limit 1)
      union all
      select (select actor_id from audit_events
              where actor_type = 'system' and actor_id > actors.value order by actor_id limit 1)
      from actors where actors.value is not null
    )
    select value from actors`);
}

export type VerificationInput = Omit<AuditVerification, "id" | "verifiedAt"> & {
  verifiedAt?: Date;
};

export async function insertAuditVerification(row: VerificationInput): Promise<AuditVerification> {
  const db = await getDb();
  const [inserted] = await db.insert(auditVerifications).values(row).returning();
  return inserted!;
}

/** The latest verification, with the name of whoever asked for it (null: on a schedule). */
export async function getLatestAuditVerification(): Promise<
  (AuditVerification & { staffName: string | null }) | undefined
> {
  const db = await getDb();
  const [row] = await db
    .select({ verification: auditVerifications, staffName: staffUsers.displayName })
    .from(auditVerifications)
    .leftJoin(staffUsers, eq(staffUsers.id, auditVerifications.staffId))
    .orderBy(desc(auditVerifications.verifiedAt), desc(auditVerifications.id))
    .limit(1);
  return row ? { ...row.verification, staffName: row.staffName } : undefined;
}
