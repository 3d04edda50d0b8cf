import { sql } from "drizzle-orm";
import { getDb } from "../client";

export type ChainRow = {
  id: number;
  seq: number | null;
  prevHash: string | null;
  hash: string | null;
  expected: string | null;
};

/**
 * The chain as stored next to the hash the database recomputes for each row, in chain order,
 * one page at a time (rows after `afterSeq`).
 */
export async function readAuditChain(afterSeq: number, limit: number): Promise<ChainRow[]> {
  const db = await getDb();
  const result = (await db.execute(sql`
    select id, seq, prev_hash, hash,
      audit_event_digest(prev_hash, seq, occurred_at, actor_type, actor_id, action, case_id, trader_id, data) as expected
    from audit_events
    where coalesce(seq, 0) > ${afterSeq} or seq is null
    order by seq nulls first, id
    limit ${limit}
  `)) as unknown;
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    id: number | string;
    seq: number | string | null;
    prev_hash: string | null;
    hash: string | null;
    expected: string | null;
  }[];
  return rows.map((r) => ({
    id: Number(r.id),
    seq: r.seq === null ? null : Number(r.seq),
    prevHash: r.prev_hash,
    hash: r.hash,
    expected: r.expected,
  }));
}
