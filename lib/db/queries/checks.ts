import { and, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { getDb, type Db } from "../client";
import {
  auditEvents,
  caseChecks,
  caseRisk,
  checkRuns,
  identityFingerprints,
  kycCases,
  type CaseCheckRow,
  type CaseRiskRow,
  type CheckOutcome,
  type CheckRoute,
  type CheckRun,
  type KycCase,
  type RiskLevel,
} from "../schema";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type CheckRowInput = {
  check: string;
  outcome: CheckOutcome;
  evidence: Record<string, unknown>;
  riskPoints: number;
};

export type RunRecord = {
  results: CheckRowInput[];
  score: number;
  level: RiskLevel;
  route: CheckRoute;
  escalated: boolean;
  listVersions: Record<string, string>;
};

/** One query for a case by id, shared with the console. */
export { getCaseById } from "./cases";

/** Submitted or resubmitted cases: the ones whose checks have not moved them to review yet. */
export async function listCasesAwaitingChecks(limit = 50): Promise<KycCase[]> {
  const db = await getDb();
  return db
    .select()
    .from(kycCases)
    .where(inArray(kycCases.status, ["submitted", "resubmitted"]))
    .orderBy(kycCases.updatedAt)
    .limit(limit);
}

async function insertRun(
  tx: Tx,
  input: {
    caseId: string;
    traderId: string;
    reason: "submission" | "rescreen";
    record: RunRecord;
    now: Date;
  },
): Promise<string> {
  const [run] = await tx
    .insert(checkRuns)
    .values({
      caseId: input.caseId,
      traderId: input.traderId,
      reason: input.reason,
      score: input.record.score,
      level: input.record.level,
      route: input.record.route,
      listVersions: input.record.listVersions,
      createdAt: input.now,
    })
    .returning({ id: checkRuns.id });
  if (!run) throw new Error("check run not inserted");
  if (input.record.results.length > 0) {
    await tx.insert(caseChecks).values(
      input.record.results.map((r) => ({
        runId: run.id,
        caseId: input.caseId,
        check: r.check,
        outcome: r.outcome,
        evidence: r.evidence,
        riskPoints: r.riskPoints,
        createdAt: input.now,
      })),
    );
  }
  return run.id;
}

/**
 * Stores one submission run in one transaction: the case's document fingerprints, the run, every
 * result, the case's risk and an audit event. `evaluate` runs inside the transaction, after the
 * fingerprints are written and while they are locked, with the other traders' cases that have
 * the same fingerprint: two traders submitting the same document at the same moment cannot both
 * miss each other. Anything throwing rolls everything back.
 */
export async function recordSubmissionRun(input: {
  caseId: string;
  traderId: string;
  fingerprints: { kind: string; fingerprint: string }[];
  evaluate: (sameElsewhere: { traderId: string; caseId: string }[]) => RunRecord;
  now: Date;
}): Promise<RunRecord & { runId: string }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const sameElsewhere: { traderId: string; caseId: string }[] = [];
    for (const f of input.fingerprints) {
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${f.kind + ":" + f.fingerprint}, 0))`,
      );
      await tx
        .insert(identityFingerprints)
        .values({
          caseId: input.caseId,
          traderId: input.traderId,
          kind: f.kind,
          fingerprintHmac: f.fingerprint,
          createdAt: input.now,
        })
        .onConflictDoNothing();
      const others = await tx
        .selectDistinct({
          traderId: identityFingerprints.traderId,
          caseId: identityFingerprints.caseId,
        })
        .from(identityFingerprints)
        .where(
          and(
            eq(identityFingerprints.kind, f.kind),
            eq(identityFingerprints.fingerprintHmac, f.fingerprint),
            ne(identityFingerprints.traderId, input.traderId),
          ),
        )
        .limit(20);
      sameElsewhere.push(...others);
    }
    const record = input.evaluate(sameElsewhere);
    const runId = await insertRun(tx, { ...input, reason: "submission", record });
    const risk = {
      runId,
      score: record.score,
      level: record.level,
      route: record.route,
      escalated: record.escalated,
      computedAt: input.now,
    };
    await tx
      .insert(caseRisk)
      .values({ caseId: input.caseId, ...risk })
      .onConflictDoUpdate({ target: caseRisk.caseId, set: risk });
    await tx.insert(auditEvents).values({
      actorType: "system",
      actorId: "checks",
      action: "checks.completed",
      caseId: input.caseId,
      traderId: input.traderId,
      occurredAt: input.now,
      data: {
        runId,
        score: record.score,
        level: record.level,
        route: record.route,
        outcomes: Object.fromEntries(record.results.map((r) => [r.check, r.outcome])),
      },
    });
    return { ...record, runId };
  });
}

/**
 * Stores a re-screening run. With `newHits` (likely matches not seen on this case before) it
 * also flags the case's risk (escalated, high, rescreen_hit_at) and writes the
 * `screening.rescreen_hit` audit event, in the same transaction; the case's status is left alone.
 */
export async function recordRescreenRun(input: {
  caseId: string;
  traderId: string;
  record: RunRecord;
  newHits: { source: string; entryId: string; score: number }[];
  now: Date;
}): Promise<string> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const runId = await insertRun(tx, { ...input, reason: "rescreen" });
    if (input.newHits.length > 0) {
      await tx
        .insert(caseRisk)
        .values({
          caseId: input.caseId,
          runId,
          score: input.record.score,
          level: "high",
          route: input.record.route,
          escalated: true,
          rescreenHitAt: input.now,
          computedAt: input.now,
        })
        .onConflictDoUpdate({
          target: caseRisk.caseId,
          set: { level: "high", escalated: true, rescreenHitAt: input.now },
        });
      await tx.insert(auditEvents).values({
        actorType: "system",
        actorId: "checks",
        action: "screening.rescreen_hit",
        caseId: input.caseId,
        traderId: input.traderId,
        occurredAt: input.now,
        data: { runId, hits: input.newHits, lists: input.record.listVersions },
      });
    }
    return runId;
  });
}

/** Every screening result ever stored for the case (evidence jsonb), oldest first. */
export async function listScreeningEvidence(caseId: string): Promise<Record<string, unknown>[]> {
  const db = await getDb();
  const rows = await db
    .select({ evidence: caseChecks.evidence })
    .from(caseChecks)
    .where(and(eq(caseChecks.caseId, caseId), eq(caseChecks.check, "screening")))
    .orderBy(caseChecks.id);
  return rows.map((r) => r.evidence);
}

/** Cases that are the latest case of their trader and approved: re-screened on list changes. */
export async function listLatestApprovedCases(): Promise<
  Pick<KycCase, "id" | "traderId" | "level">[]
> {
  const db = await getDb();
  const latest = db
    .selectDistinctOn([kycCases.traderId], {
      id: kycCases.id,
      traderId: kycCases.traderId,
      level: kycCases.level,
      status: kycCases.status,
    })
    .from(kycCases)
    .orderBy(kycCases.traderId, desc(kycCases.openedAt), desc(kycCases.id))
    .as("latest");
  return db
    .select({ id: latest.id, traderId: latest.traderId, level: latest.level })
    .from(latest)
    .where(eq(latest.status, "approved"));
}

export async function getCaseRisk(caseId: string): Promise<CaseRiskRow | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(caseRisk).where(eq(caseRisk.caseId, caseId));
  return row;
}

/** The case's latest run of the given reason with its results (what the console shows). */
export async function getLatestCheckRun(
  caseId: string,
  reason: "submission" | "rescreen" = "submission",
): Promise<{ run: CheckRun; results: CaseCheckRow[] } | undefined> {
  const db = await getDb();
  const [run] = await db
    .select()
    .from(checkRuns)
    .where(and(eq(checkRuns.caseId, caseId), eq(checkRuns.reason, reason)))
    .orderBy(desc(checkRuns.createdAt), desc(checkRuns.id))
    .limit(1);
  if (!run) return undefined;
  const results = await db
    .select()
    .from(caseChecks)
    .where(eq(caseChecks.runId, run.id))
    .orderBy(caseChecks.id);
  return { run, results };
}
