/**
 * Verifying the chain the one way: `npm run audit:verify`, the console's "Verify now" and the
 * scheduled verification (worker housekeeping, cron route) all call `checkAuditChain`, so the
 * console's status is the command's answer, not a look-alike. Each verification other than the
 * command's is recorded (audit_verifications) for the console and the health endpoint; a broken
 * chain is logged at error level as `audit.chain_broken`, the line to alert on.
 */
import "server-only";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { getLatestAuditVerification, insertAuditVerification } from "@/lib/db/queries/audit-log";
import type { AuditVerification } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { configuredVerifyKeys } from "./signing";
import { verifyAuditChain, type ChainVerdict } from "./verify";

export const CHAIN_VERIFIED_ACTION = "audit.chain_verified";

export type ChainCheck = { verdict: ChainVerdict; keysChecked: boolean };

/** The chain checked with the configured keys (and any exported heads), as audit:verify does. */
export async function checkAuditChain(exportedHeads: unknown[] = []): Promise<ChainCheck> {
  const keys = configuredVerifyKeys();
  const verdict = await verifyAuditChain({ keys, exportedHeads });
  return { verdict, keysChecked: keys.length > 0 };
}

/** audit:verify's one-line answer. */
export function describeChainCheck({ verdict, keysChecked }: ChainCheck, exported = 0): string {
  if (verdict.ok) {
    const signed = keysChecked
      ? `, ${verdict.signedHeads} signed heads checked (${exported} exported), latest at seq ${verdict.latestSignedSeq ?? "-"}`
      : ", signed heads not checked (no AUDIT_VERIFY_KEY)";
    return `audit:verify: ${verdict.rows} rows, chain intact${signed}`;
  }
  return `audit:verify: chain broken at row id=${verdict.brokenAt.id ?? "-"} seq=${verdict.brokenAt.seq ?? "-"} (${verdict.problem}); ${verdict.rows} rows verified`;
}

async function verifyAndRecord(
  trigger: AuditVerification["trigger"],
  staffId: string | null,
  now: Date,
): Promise<AuditVerification> {
  const check = await checkAuditChain();
  const { verdict } = check;
  const record = await insertAuditVerification({
    verifiedAt: now,
    trigger,
    staffId,
    ok: verdict.ok,
    rows: verdict.rows,
    problem: verdict.ok ? null : verdict.problem,
    brokenSeq: verdict.ok ? null : verdict.brokenAt.seq,
    brokenId: verdict.ok ? null : verdict.brokenAt.id,
    keysChecked: check.keysChecked,
    signedHeads: verdict.ok ? verdict.signedHeads : 0,
  });
  const facts = { trigger, message: describeChainCheck(check) };
  if (verdict.ok) log.info("audit.chain_verified", facts);
  else log.error("audit.chain_broken", { ...facts, problem: verdict.problem, ...verdict.brokenAt });
  return record;
}

/** "Verify now" in the console: verified, recorded, and the asking itself audited. */
export async function verifyChainNow(
  staff: { id: string },
  now = new Date(),
): Promise<AuditVerification> {
  const record = await verifyAndRecord("manual", staff.id, now);
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: CHAIN_VERIFIED_ACTION,
    occurredAt: now,
    data: {
      ok: record.ok,
      rows: record.rows,
      problem: record.problem,
      brokenSeq: record.brokenSeq,
      keysChecked: record.keysChecked,
    },
  });
  return record;
}

/**
 * The scheduled verification: when AUDIT_VERIFY_MINUTES have passed since the latest one (of
 * either kind). Two workers may both verify at once; that only records the same answer twice.
 */
export async function verifyChainIfDue(now = new Date()): Promise<AuditVerification | undefined> {
  const minutes = env().audit.verifyEveryMinutes;
  if (minutes === 0) return undefined;
  const latest = await getLatestAuditVerification();
  if (latest && now.getTime() - latest.verifiedAt.getTime() < minutes * 60_000) return undefined;
  return verifyAndRecord("scheduled", null, now);
}

export type ChainStatus =
  | { state: "unverified" }
  | {
      state: "intact" | "broken";
      verifiedAt: Date;
      /** Who asked (a name), or null for the schedule. */
      by: string | null;
      rows: number;
      problem: string | null;
      brokenSeq: number | null;
      keysChecked: boolean;
      signedHeads: number;
    };

/** The latest verification, for the console and the health endpoint. */
export async function latestChainStatus(): Promise<ChainStatus> {
  const latest = await getLatestAuditVerification();
  if (!latest) return { state: "unverified" };
  return {
    state: latest.ok ? "intact" : "broken",
    verifiedAt: latest.verifiedAt,
    by: latest.trigger === "manual" ? (latest.staffName ?? "a removed account") : null,
    rows: latest.rows,
    problem: latest.problem,
    brokenSeq: latest.brokenSeq,
    keysChecked: latest.keysChecked,
    signedHeads: latest.signedHeads,
  };
}
