import { and, desc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { getDb } from "../client";
import { auditEvents } from "../schema";
import { executedRows } from "./rows";

export type ChainRow = {
  id: number;
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
  expected: string | null;
  /** `data` of an `audit.head_signed` row (a signed head), else null. */
  head: unknown;
};

/**
 * The chain as stored next to the hash the database recomputes for each row, in chain order,
 * one page at a time (rows after `afterSeq`).
 */
export async function readAuditChain(afterSeq: number, limit: number): Promise<ChainRow[]> {
  const db = await getDb();
  const result = (await db.execute(sql`
    select id, seq, prev_hash, hash,
      audit_event_digest(prev_hash, seq, occurred_at, actor_type, actor_id, action, case_id, trader_id, data) as expected,
      case when action = 'audit.head_signed' then data end as head
    from audit_events
    where coalesce(seq, 0) > ${afterSeq} or seq is null
    order by seq nulls first, id
    limit ${limit}
  `)) as unknown;
  const rows = executedRows<{
    id: number | string;
    seq: number | string | null;
    prev_hash: string | null;
    hash: string | null;
    expected: string | null;
    head: unknown;
  }>(result);
  return rows.map((r) => ({
    id: Number(r.id),
    seq: r.seq === null ? null : Number(r.seq),
    prevHash: r.prev_hash,
    hash: r.hash,
    expected: r.expected,
    head: r.head ?? null,
  }));
}

/** The newest signed-head row: its own place in the chain and when it was written. */
export async function getLatestSignedHead(): Promise<
  { seq: number; occurredAt: Date } | undefined
> {
  const db = await getDb();
  const [row] = await db
    .select({ seq: auditEvents.seq, occurredAt: auditEvents.occurredAt })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "audit.head_signed"), isNotNull(auditEvents.seq)))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row?.seq != null ? { seq: row.seq, occurredAt: row.occurredAt } : undefined;
}

/** The stored hash at each of these chain positions (absent positions are left out). */
export async function getAuditHashesAt(seqs: number[]): Promise<Map<number, string>> {
  if (seqs.length === 0) return new Map();
  const db = await getDb();
  const rows = await db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(inArray(auditEvents.seq, seqs));
  return new Map(rows.flatMap((r) => (r.seq != null && r.hash ? [[r.seq, r.hash] as const] : [])));
}
