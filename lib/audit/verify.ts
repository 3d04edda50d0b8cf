/**
 * Verifies the audit trail's hash chain (see lib/db/schema/audit-events.ts): every row's hash
 * must be what its content and the previous row's hash give, and the sequence must have no
 * gap. Returns the first broken row, so a supervisor knows where tampering starts.
 */
import { readAuditChain } from "@/lib/db/queries/audit-chain";

export type ChainVerdict =
  | { ok: true; rows: number }
  | {
      ok: false;
      rows: number;
      brokenAt: { id: number; seq: number | null };
      problem: "unchained" | "gap" | "prev_mismatch" | "hash_mismatch";
    };

const GENESIS = "0".repeat(64);
const PAGE = 5_000;

export async function verifyAuditChain(): Promise<ChainVerdict> {
  let previousHash = GENESIS;
  let expectedSeq = 1;
  let checked = 0;
  let after = 0;
  for (;;) {
    const page = await readAuditChain(after, PAGE);
    if (page.length === 0) return { ok: true, rows: checked };
    for (const row of page) {
      const broken = (problem: Exclude<ChainVerdict, { ok: true }>["problem"]): ChainVerdict => ({
        ok: false,
        rows: checked,
        brokenAt: { id: row.id, seq: row.seq },
        problem,
      });
      if (row.seq === null || row.hash === null) return broken("unchained");
      if (row.seq !== expectedSeq) return broken("gap");
      if (row.prevHash !== previousHash) return broken("prev_mismatch");
      if (row.hash !== row.expected) return broken("hash_mismatch");
      previousHash = row.hash;
      expectedSeq += 1;
      checked += 1;
      after = row.seq;
    }
  }
}
