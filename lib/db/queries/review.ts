import { and, asc, desc, eq, gte, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { getDb } from "../client";
import {
  auditEvents,
  caseDecisions,
  caseEvents,
  kycCases,
  staffUsers,
  traders,
  type CaseDecision,
  type CaseStatus,
  type KycCase,
} from "../schema";
import type { AuditInput } from "./audit";

export type QueueFilter = {
  statuses: CaseStatus[];
  level?: string;
  risk?: string;
  assignee?: string | "unassigned";
  /** Only cases waiting at least this long. */
  minWaitingHours?: number;
  now: Date;
  limit: number;
};

export type QueueRow = {
  caseId: string;
  status: CaseStatus;
  level: string;
  riskLevel: string | null;
  fourEyesRequired: boolean;
  traderEmail: string | null;
  ctraderUserId: number;
  assignedTo: string | null;
  assigneeName: string | null;
  /** When the case last reached the queue (its latest submit or resubmit). */
  waitingSince: Date;
};

export async function listQueue(filter: QueueFilter): Promise<QueueRow[]> {
  const db = await getDb();
  const waitingSince = sql<Date>`coalesce((
    select max(e.occurred_at) from ${caseEvents} e
    where e.case_id = ${kycCases.id} and e.event in ('submit', 'resubmit')
  ), ${kycCases.updatedAt})`;
  const conditions: SQL[] = [inArray(kycCases.status, filter.statuses)];
  if (filter.level) conditions.push(eq(kycCases.level, filter.level));
  if (filter.risk) conditions.push(eq(kycCases.riskLevel, filter.risk));
  if (filter.assignee === "unassigned") conditions.push(isNull(kycCases.assignedTo));
  else if (filter.assignee) conditions.push(eq(kycCases.assignedTo, filter.assignee));
  if (filter.minWaitingHours)
    conditions.push(
      sql`${waitingSince} <= ${new Date(filter.now.getTime() - filter.minWaitingHours * 3_600_000).toISOString()}::timestamptz`,
    );
  const rows = await db
    .select({
      caseId: kycCases.id,
      status: kycCases.status,
      level: kycCases.level,
      riskLevel: kycCases.riskLevel,
      fourEyesRequired: kycCases.fourEyesRequired,
      traderEmail: traders.email,
      ctraderUserId: traders.ctraderUserId,
      assignedTo: kycCases.assignedTo,
      assigneeName: staffUsers.displayName,
      waitingSince,
    })
    .from(kycCases)
    .innerJoin(traders, eq(traders.id, kycCases.traderId))
    .leftJoin(staffUsers, eq(staffUsers.id, kycCases.assignedTo))
    .where(and(...conditions))
    .orderBy(asc(waitingSince))
    .limit(filter.limit);
  return rows.map((r) => ({ ...r, waitingSince: new Date(r.waitingSince) }));
}

export { getCaseById } from "./cases";

export async function listTraderCases(traderId: string): Promise<KycCase[]> {
  const db = await getDb();
  return db
    .select()
    .from(kycCases)
    .where(eq(kycCases.traderId, traderId))
    .orderBy(desc(kycCases.openedAt));
}

/** Claims (or assigns) a case; `onlyIfUnassigned` makes a claim lose to an earlier one. */
export async function assignCase(input: {
  caseId: string;
  staffId: string | null;
  onlyIfUnassigned: boolean;
  now: Date;
  audit: AuditInput;
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(kycCases)
      .set({ assignedTo: input.staffId, assignedAt: input.staffId ? input.now : null })
      .where(
        and(
          eq(kycCases.id, input.caseId),
          input.onlyIfUnassigned ? isNull(kycCases.assignedTo) : undefined,
        ),
      )
      .returning({ id: kycCases.id });
    if (rows.length === 0) return false;
    await tx.insert(auditEvents).values({ ...input.audit, data: input.audit.data ?? {} });
    return true;
  });
}

/** The approvals signed in the current review round (since the latest start_review). */
export async function listRoundApprovals(caseId: string): Promise<CaseDecision[]> {
  const db = await getDb();
  const since = sql`coalesce((select max(e.occurred_at) from ${caseEvents} e
    where e.case_id = ${caseId} and e.event = 'start_review'), '-infinity'::timestamptz)`;
  return db
    .select()
    .from(caseDecisions)
    .where(
      and(
        eq(caseDecisions.caseId, caseId),
        eq(caseDecisions.decision, "approve"),
        gte(caseDecisions.createdAt, since),
      ),
    );
}

export async function listCaseDecisions(caseId: string): Promise<CaseDecision[]> {
  const db = await getDb();
  return db
    .select()
    .from(caseDecisions)
    .where(eq(caseDecisions.caseId, caseId))
    .orderBy(asc(caseDecisions.createdAt), asc(caseDecisions.id));
}

/** A signature without a status change (the first of two for a four-eyes approval), audited. */
export async function insertSignature(input: {
  caseId: string;
  staffId: string;
  now: Date;
  audit: AuditInput;
}): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    // Serialise signatures on one case, so two first signatures cannot both look "first".
    await tx.execute(
      sql`select 1 from ${kycCases} where ${kycCases.id} = ${input.caseId} for update`,
    );
    await tx.insert(caseDecisions).values({
      caseId: input.caseId,
      staffId: input.staffId,
      decision: "approve",
      createdAt: input.now,
    });
    await tx.insert(auditEvents).values({ ...input.audit, data: input.audit.data ?? {} });
  });
}

export async function setCaseRisk(
  caseId: string,
  riskLevel: string,
  fourEyesRequired: boolean,
): Promise<void> {
  const db = await getDb();
  await db.update(kycCases).set({ riskLevel, fourEyesRequired }).where(eq(kycCases.id, caseId));
}

/** A decision that changes no status (e.g. a verdict on a screening hit), audited. */
export async function insertDecision(input: {
  caseId: string;
  staffId: string;
  decision: string;
  internalNote: string | null;
  data: Record<string, unknown>;
  now: Date;
  audit: AuditInput;
}): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(caseDecisions).values({
      caseId: input.caseId,
      staffId: input.staffId,
      decision: input.decision,
      internalNote: input.internalNote,
      data: input.data,
      createdAt: input.now,
    });
    await tx.insert(auditEvents).values({ ...input.audit, data: input.audit.data ?? {} });
  });
}
