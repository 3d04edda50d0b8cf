/**
 * Verifies the audit trail's hash chain (see lib/db/schema/audit-events.ts): every row's hash
 * must be what its content and the previous row's hash give, and the sequence must have no
 * gap. Returns the first broken row, so a supervisor knows where tampering starts.
 *
 * With a verification key it also checks the signed heads (lib/audit/signing.ts), those in the
 * chain and those exported to the log: each must carry a valid signature and name a (seq, hash)
 * that is on the chain. That is what finds a table rewritten with re-chained hashes (a signed
 * hash no longer matches) and a cut tail (a signed seq is past the end). The chain alone cannot.
 */
import type { KeyObject } from "node:crypto";
import { getAuditHashesAt, readAuditChain } from "@/lib/db/queries/audit-chain";
import { headSignatureValid, signedHead, type SignedHead } from "./signing";

type Problem =
  | "unchained"
  | "gap"
  | "prev_mismatch"
  | "hash_mismatch"
  /** A signed head in the chain or the export whose signature does not verify. */
  | "bad_signature"
  /** A signed head names a position whose hash is not the one signed: rewritten. */
  | "head_mismatch"
  /** A signed head names a position past the chain's end: rows were cut off. */
  | "tail_cut"
  /** A key was given but no signed head exists anywhere: nothing pins the chain. */
  | "unsigned";

export type ChainVerdict =
  | { ok: true; rows: number; signedHeads: number; latestSignedSeq: number | null }
  | {
      ok: false;
      rows: number;
      brokenAt: { id: number | null; seq: number | null };
      problem: Problem;
    };

const GENESIS = "0".repeat(64);
const PAGE = 5_000;

export type VerifyOptions = {
  /** Checks signed heads with these public keys; without any only the hashes are checked. */
  keys?: KeyObject[];
  /** Signed heads exported to the log (`audit.head_signed` lines), checked like those in the chain. */
  exportedHeads?: unknown[];
};

export async function verifyAuditChain(options: VerifyOptions = {}): Promise<ChainVerdict> {
  let previousHash = GENESIS;
  let expectedSeq = 1;
  let checked = 0;
  let after = 0;
  const heads: SignedHead[] = [];
  const keys = options.keys ?? [];
  for (;;) {
    const page = await readAuditChain(after, PAGE);
    if (page.length === 0) break;
    for (const row of page) {
      const broken = (problem: Problem): ChainVerdict => ({
        ok: false,
        rows: checked,
        brokenAt: { id: row.id, seq: row.seq },
        problem,
      });
      if (row.seq === null || row.hash === null) return broken("unchained");
      if (row.seq !== expectedSeq) return broken("gap");
      if (row.prevHash !== previousHash) return broken("prev_mismatch");
      if (row.hash !== row.expected) return broken("hash_mismatch");
      if (keys.length > 0 && row.head !== null) {
        const head = signedHead.safeParse(row.head);
        if (!head.success || !headSignatureValid(keys, head.data)) return broken("bad_signature");
        heads.push(head.data);
      }
      previousHash = row.hash;
      expectedSeq += 1;
      checked += 1;
      after = row.seq;
    }
  }
  if (keys.length === 0) return { ok: true, rows: checked, signedHeads: 0, latestSignedSeq: null };

  for (const exported of options.exportedHeads ?? []) {
    const head = signedHead.safeParse(exported);
    if (!head.success || !headSignatureValid(keys, head.data))
      return {
        ok: false,
        rows: checked,
        brokenAt: { id: null, seq: null },
        problem: "bad_signature",
      };
    heads.push(head.data);
  }
  if (heads.length === 0)
    return checked === 0
      ? { ok: true, rows: 0, signedHeads: 0, latestSignedSeq: null }
      : { ok: false, rows: checked, brokenAt: { id: null, seq: null }, problem: "unsigned" };

  // The chain itself is intact here, so each stored hash is the recomputed one.
  heads.sort((a, b) => a.seq - b.seq);
  const stored = await getAuditHashesAt([...new Set(heads.map((h) => h.seq))]);
  for (const head of heads) {
    const hash = stored.get(head.seq);
    if (hash === undefined)
      return {
        ok: false,
        rows: checked,
        brokenAt: { id: null, seq: head.seq },
        problem: "tail_cut",
      };
    if (hash !== head.hash)
      return {
        ok: false,
        rows: checked,
        brokenAt: { id: null, seq: head.seq },
        problem: "head_mismatch",
      };
  }
  return {
    ok: true,
    rows: checked,
    signedHeads: heads.length,
    latestSignedSeq: heads[heads.length - 1]!.seq,
  };
}
