import {
  and,
  asc,
  desc,
  eq,
  inArray,
  isNotNull,
  isNull,
  lte,
  ne,
  not,
  or,
  sql,
  type SQL,
  type SQLWrapper,
} from "drizzle-orm";
import {
  AWAITING_DECISION_STATUSES,
  approvalInForce,
  awaitingDecision,
  UPGRADE_OPEN_STATUSES,
} from "@/lib/kyc/case-state";
import {
  MONITORING_TASK_FIELDS,
  monitoringTaskData,
  RESCREEN_HIT_AUDIT,
  rescreenHitAuditData,
  type MonitoringTaskHit,
} from "@/lib/checks/monitoring-task";
import { getDb, type Db } from "../client";
import type { AuditInput } from "./audit";
import { holdTaskOpen, MONITORING_TASK } from "./hold-tasks";
import { insertCaseOutboxEvent, lockCase, type OutboxBuilder } from "./cases";
import { underEndedRelationship } from "./ended-relationship";
import { nextCaseEventSequence } from "./outbox";
import { listScreeningJudgments } from "./review";
import {
  auditEvents,
  caseChecks,
  caseRisk,
  checkClaims,
  checkFailures,
  checkRuns,
  identityFingerprints,
  kycCases,
  reviewTasks,
  screeningLists,
  vendorVerifications,
  type CaseCheckRow,
  type CaseDecision,
  type CaseRiskRow,
  type CheckFailure,
  type CheckOutcome,
  type CheckRoute,
  type CheckRun,
  type KycCase,
  type RiskLevel,
} from "../schema";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export { MONITORING_TASK };

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
  /** The screening result's counted hits (lib/checks/evidence.ts countedScreeningHits). */
  screeningHits: number | null;
};

/**
 * A submission run as the case took it: `level` is the case's risk after the run, the higher of
 * the checks' own (kept on the run) and `riskFloor`, the floor a person set (null: none).
 */
export type SubmissionRunRecord = RunRecord & { riskFloor: RiskLevel | null };

const RISK_RANK: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };
/** A floor that does not read counts as the highest: fail closed. */
const riskFloorOf = (value: string | null): RiskLevel | null =>
  value === null ? null : value === "low" || value === "medium" ? value : "high";

/** A case a list change concerns (listCasesToRescreen). */
export type CaseToRescreen = Pick<
  KycCase,
  "id" | "traderId" | "level" | "status" | "approvedLevel" | "round"
>;

/** One query for a case by id, shared with the console. */
export { getCaseById } from "./cases";

/**
 * SQL: the case's round awaits a submission run: none of the round yet, or a vendor's verdict
 * arrived after the round's latest run started (the run read the vendor's state after its
 * start). The sweep lists by it; a run is recorded only while it holds (recordSubmissionRun).
 */
function roundAwaitsRun(caseId: SQLWrapper, round: SQLWrapper | number): SQL {
  return sql`(not exists (select 1 from ${checkRuns} r where r.case_id = ${caseId}
    and r.reason = 'submission' and r.round = ${round})
    or exists (select 1 from ${vendorVerifications} v where v.case_id = ${caseId}
      and v.verdict_at > (select max(r.created_at) from ${checkRuns} r
        where r.case_id = ${caseId} and r.reason = 'submission' and r.round = ${round})))`;
}

/**
 * Cases whose current submission round has no check run yet (submitted, resubmitted, or already in
 * review because a reviewer acted first), or got a vendor's verdict after its last run, oldest
 * first, skipping those whose last failure asked to wait (a few cases that keep failing never hold
 * up the rest) and those whose run is in flight (a live claim).
 */
export async function listCasesAwaitingChecks(now: Date, limit = 50): Promise<KycCase[]> {
  const db = await getDb();
  const rows = await db
    .select({ kycCase: kycCases })
    .from(kycCases)
    .leftJoin(checkFailures, eq(checkFailures.caseId, kycCases.id))
    .where(
      and(
        inArray(kycCases.status, ["submitted", "resubmitted", "in_review"]),
        sql`${kycCases.round} > 0`,
        roundAwaitsRun(kycCases.id, kycCases.round),
        sql`not exists (select 1 from ${checkClaims} c where c.case_id = ${kycCases.id}
          and c.lease_until > ${now.toISOString()}::timestamptz)`,
        or(
          isNull(checkFailures.caseId),
          ne(checkFailures.round, kycCases.round),
          lte(checkFailures.nextAttemptAt, now),
        ),
      ),
    )
    .orderBy(asc(checkFailures.nextAttemptAt), asc(kycCases.updatedAt))
    .limit(limit);
  return rows.map((r) => r.kycCase);
}

/**
 * Claims the case's submission run: a token when no other run holds a live claim (none, or its
 * lease ended before `now`), null when one does. The holder releases it with
 * `releaseCaseChecks`; one that never does (a crash) is overtaken once the lease ends.
 */
export async function claimCaseChecks(
  caseId: string,
  now: Date,
  leaseMs: number,
): Promise<string | null> {
  const db = await getDb();
  const claim = {
    token: crypto.randomUUID(),
    claimedAt: now,
    leaseUntil: new Date(now.getTime() + leaseMs),
  };
  const [row] = await db
    .insert(checkClaims)
    .values({ caseId, ...claim })
    .onConflictDoUpdate({
      target: checkClaims.caseId,
      set: claim,
      setWhere: lte(checkClaims.leaseUntil, now),
    })
    .returning({ token: checkClaims.token });
  return row?.token ?? null;
}

/** The case's claim by a run, live or not (its holder may have died: the lease says until when). */
export async function getCheckClaim(
  caseId: string,
): Promise<{ claimedAt: Date; leaseUntil: Date } | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ claimedAt: checkClaims.claimedAt, leaseUntil: checkClaims.leaseUntil })
    .from(checkClaims)
    .where(eq(checkClaims.caseId, caseId));
  return row;
}

/**
 * Moves the lease of a claim this holder still has to `leaseMs` after `now`, never earlier than
 * it already ends (a run's heartbeat while it works); false when the claim is no longer this holder's (another run took the case
 * over after the lease ended), and nothing changes.
 */
export async function renewCaseChecks(
  caseId: string,
  token: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const db = await getDb();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const rows = await db
    .update(checkClaims)
    // Never shorter: a renewal held up (a busy pool, a stalled connection) may land after the
    // next one, and must not take back the time that one gave.
    .set({ leaseUntil: sql`greatest(${checkClaims.leaseUntil}, ${until}::timestamptz)` })
    .where(and(eq(checkClaims.caseId, caseId), eq(checkClaims.token, token)))
    .returning({ token: checkClaims.token });
  return rows.length > 0;
}

/** Ends a claim, if it is still this holder's. */
export async function releaseCaseChecks(caseId: string, token: string): Promise<void> {
  const db = await getDb();
  await db
    .delete(checkClaims)
    .where(and(eq(checkClaims.caseId, caseId), eq(checkClaims.token, token)));
}

/** Whether the round awaits a submission run (roundAwaitsRun). */
export async function roundAwaitsChecks(caseId: string, round: number): Promise<boolean> {
  const db = await getDb();
  const [row] = await db
    .select({ awaits: sql<boolean>`${roundAwaitsRun(kycCases.id, round)}` })
    .from(kycCases)
    .where(eq(kycCases.id, caseId));
  return Boolean(row?.awaits);
}

/** The submission run of the case's round, if the checks of that round have run. */
export async function getRoundRun(caseId: string, round: number): Promise<CheckRun | undefined> {
  const db = await getDb();
  const [run] = await db
    .select()
    .from(checkRuns)
    .where(
      and(
        eq(checkRuns.caseId, caseId),
        eq(checkRuns.reason, "submission"),
        eq(checkRuns.round, round),
      ),
    )
    .orderBy(desc(checkRuns.createdAt))
    .limit(1);
  return run;
}

/**
 * In a declined upgrade's or renewal's transaction, once the approved round's answers are back:
 * the case's risk becomes the higher of what it has now and the level of the approved round's
 * latest submission run, and four eyes follow the level kept. The declined round's checks scored
 * answers that are discarded, so they must not lower the risk of the answers the approval rests
 * on; what the case has now (a re-screening hit, a periodic review's floor, a higher declined
 * round) is never lowered either. Re-screening runs do not count: they score the screening alone.
 * When the approved run wins, case_risk points at it again. Returns the level kept, and whether
 * the approved run raised it.
 */
export async function keepApprovedRoundRisk(
  tx: Tx,
  input: {
    caseId: string;
    /** The round the approval in force decided; null: none known, the risk stays. */
    approvedRound: number | null;
    fourEyes: (level: RiskLevel) => boolean;
    now: Date;
  },
): Promise<{ level: RiskLevel | null; raised: boolean }> {
  const [row] = await tx
    .select({ riskLevel: kycCases.riskLevel })
    .from(kycCases)
    .where(eq(kycCases.id, input.caseId))
    .for("update");
  // A level that does not read counts as high, as a floor does: fail closed.
  const current = row?.riskLevel == null ? null : riskFloorOf(row.riskLevel);
  const [approvedRun] =
    input.approvedRound === null
      ? []
      : await tx
          .select()
          .from(checkRuns)
          .where(
            and(
              eq(checkRuns.caseId, input.caseId),
              eq(checkRuns.reason, "submission"),
              eq(checkRuns.round, input.approvedRound),
            ),
          )
          .orderBy(desc(checkRuns.createdAt), desc(checkRuns.id))
          .limit(1);
  const raised =
    approvedRun !== undefined &&
    (current === null || RISK_RANK[approvedRun.level] > RISK_RANK[current]);
  const level = raised ? approvedRun.level : current;
  // With no assessment at all the four eyes the new round asked for stay: no risk is not low.
  if (level !== null)
    await tx
      .update(kycCases)
      .set({
        ...(raised && { riskLevel: approvedRun.level }),
        fourEyesRequired: input.fourEyes(level),
      })
      .where(eq(kycCases.id, input.caseId));
  if (raised) {
    const risk = {
      runId: approvedRun.id,
      score: approvedRun.score,
      level: approvedRun.level,
      route: approvedRun.route,
      escalated: approvedRun.route === "escalate",
      computedAt: input.now,
    };
    await tx
      .insert(caseRisk)
      .values({ caseId: input.caseId, ...risk })
      .onConflictDoUpdate({ target: caseRisk.caseId, set: risk });
  }
  return { level, raised };
}

/**
 * Whether this claim still holds the case's checks, its row locked until the transaction ends:
 * a run taking the case over meanwhile waits for the caller's write.
 */
async function holdsClaim(tx: Tx, caseId: string, claim: string): Promise<boolean> {
  const [held] = await tx
    .select({ token: checkClaims.token })
    .from(checkClaims)
    .where(and(eq(checkClaims.caseId, caseId), eq(checkClaims.token, claim)))
    .for("update");
  return held !== undefined;
}

/**
 * Records a failed run of `round` and when the sweep may try again (exponential back-off), while
 * the run still holds its claim (claimCaseChecks). A run taken over after its lease ended
 * (`overtaken`) writes nothing: the failure, its back-off and its audit row would be read as the
 * new holder's, whose run may be recording a result at that moment.
 */
export async function recordCheckFailure(input: {
  caseId: string;
  /** The failed run's claim on the case, as recordSubmissionRun takes it. */
  claim: string;
  round: number;
  error: string;
  now: Date;
  backoffMs: (attempts: number) => number;
  /** Another audit row that says what this failure ended (an officer's retry), in the same transaction. */
  alsoAudit?: AuditInput;
}): Promise<CheckFailure | { refused: "overtaken" }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // Locked until this commits: a run taking the case over meanwhile waits, then records its own.
    if (!(await holdsClaim(tx, input.caseId, input.claim)))
      return { refused: "overtaken" as const };
    const [previous] = await tx
      .select()
      .from(checkFailures)
      .where(eq(checkFailures.caseId, input.caseId))
      .for("update");
    const attempts = previous?.round === input.round ? previous.attempts + 1 : 1;
    const row = {
      caseId: input.caseId,
      round: input.round,
      attempts,
      lastError: input.error.slice(0, 500),
      failedAt: input.now,
      nextAttemptAt: new Date(input.now.getTime() + input.backoffMs(attempts)),
    };
    await tx.insert(checkFailures).values(row).onConflictDoUpdate({
      target: checkFailures.caseId,
      set: row,
    });
    await tx.insert(auditEvents).values({
      actorType: "system",
      actorId: "checks",
      action: "checks.failed",
      caseId: input.caseId,
      occurredAt: input.now,
      data: { round: input.round, attempts, error: row.lastError },
    });
    if (input.alsoAudit)
      await tx.insert(auditEvents).values({ ...input.alsoAudit, data: input.alsoAudit.data ?? {} });
    return row;
  });
}

export async function getCheckFailure(caseId: string): Promise<CheckFailure | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(checkFailures).where(eq(checkFailures.caseId, caseId));
  return row;
}

async function insertRun(
  tx: Tx,
  input: {
    caseId: string;
    traderId: string;
    reason: "submission" | "rescreen";
    round: number;
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
      screeningHits: input.record.screeningHits,
      round: input.round,
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
 * On the locked case: the round still awaits a run, and no run of it that started after `startedAt`
 * is recorded. Two runs of a round (one overtaken after its claim's lease) record one; a vendor's
 * verdict after the recorded run lets the next run record.
 */
async function roundStillAwaits(
  tx: Tx,
  caseId: string,
  round: number,
  startedAt: Date,
): Promise<boolean> {
  const [row] = await tx
    .select({
      awaits: sql<boolean>`${roundAwaitsRun(kycCases.id, round)}
        and not exists (select 1 from ${checkRuns} r where r.case_id = ${kycCases.id}
          and r.reason = 'submission' and r.round = ${round}
          and r.created_at > ${startedAt.toISOString()}::timestamptz)`,
    })
    .from(kycCases)
    .where(eq(kycCases.id, caseId));
  return Boolean(row?.awaits);
}

/**
 * Stores one submission run in one transaction: the case's document fingerprints, the run, every
 * result, the case's risk (never below its floor) and an audit event. `evaluate` runs inside the transaction, after the
 * fingerprints are written and while they are locked, with the other traders' cases that have
 * the same fingerprint: two traders submitting the same document at the same moment cannot both
 * miss each other. Anything throwing rolls everything back.
 */
export async function recordSubmissionRun(input: {
  caseId: string;
  traderId: string;
  /**
   * The run's claim on the case (claimCaseChecks): recorded only while it is still this run's.
   * A run that outlived its lease and was taken over is refused, whatever it found: the run that
   * holds the case is the one that records, and an officer's retry is never beaten by it.
   */
  claim: string;
  /** The round the snapshot was read in: a run of an older round is never stored as current. */
  round: number;
  fingerprints: { kind: string; fingerprint: string }[];
  evaluate: (sameElsewhere: { traderId: string; caseId: string }[]) => RunRecord;
  /** Whether the run's risk level needs two approvers (the configured threshold). */
  fourEyes: (level: RiskLevel) => boolean;
  /** Another audit row of the run (an officer's retry that started it), given the run's id. */
  alsoAudit?: (runId: string) => AuditInput;
  now: Date;
}): Promise<
  | (SubmissionRunRecord & { runId: string; fourEyesRequired: boolean })
  | { refused: "overtaken" | "done" }
> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [locked] = await tx
      .select({ round: kycCases.round, status: kycCases.status, riskFloor: kycCases.riskFloor })
      .from(kycCases)
      .where(eq(kycCases.id, input.caseId))
      .for("update");
    // Locked until this commits: a run taking the case over meanwhile waits, then finds the
    // round recorded.
    if (!(await holdsClaim(tx, input.caseId, input.claim)))
      return { refused: "overtaken" as const };
    if (
      !locked ||
      locked.round !== input.round ||
      !["submitted", "resubmitted", "in_review"].includes(locked.status)
    )
      return { refused: "done" as const };
    if (!(await roundStillAwaits(tx, input.caseId, input.round, input.now)))
      return { refused: "done" as const };
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
    // A likely hit no person has cleared holds the case at high: a re-screening hit on the
    // approval in force (its monitoring task still open), or one found in an earlier round of
    // this case (drizzle/0058, the approval guard's rule). The round's answers may no longer
    // match the entry (a changed name, a corrected date of birth), but the hit is on answers
    // this trader gave, and only people clear it. Asked in its own statement after the lock, so
    // a task opened or closed, or a verdict given, while this waited counts as it is now.
    const [hold] = await tx
      .select({
        open: holdTaskOpen(kycCases.id, [MONITORING_TASK]),
        earlier: sql<boolean>`exists (select 1 from case_uncleared_likely_hits(${kycCases.id}, 0, ${input.round}::int, ${input.round - 1}::int))`,
      })
      .from(kycCases)
      .where(eq(kycCases.id, input.caseId));
    const heldByHit = hold?.open === true;
    const heldByEarlierHit = hold?.earlier === true;
    // The run keeps what the checks found; the case takes the highest of that, the floor a
    // person set (a periodic review), read on the locked row, and an open hit's high: the checks
    // never lower them.
    const runId = await insertRun(tx, { ...input, reason: "submission", record });
    const riskFloor = riskFloorOf(locked.riskFloor);
    const level = [
      riskFloor,
      heldByHit || heldByEarlierHit ? ("high" as const) : null,
    ].reduce<RiskLevel>(
      (highest, floor) => (floor && RISK_RANK[floor] > RISK_RANK[highest] ? floor : highest),
      record.level,
    );
    // The console's filters and the four-eyes rule read the risk on the case: set in the same
    // transaction, so there is never a run without its four-eyes decision.
    const fourEyesRequired = input.fourEyes(level);
    await tx
      .update(kycCases)
      .set({ riskLevel: level, fourEyesRequired })
      .where(eq(kycCases.id, input.caseId));
    await tx.delete(checkFailures).where(eq(checkFailures.caseId, input.caseId));
    const risk = {
      runId,
      score: record.score,
      level,
      route: record.route,
      escalated: record.escalated || heldByHit || heldByEarlierHit,
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
        ...(riskFloor && { riskFloor }),
        ...(heldByHit && { heldByOpenHit: true }),
        ...(heldByEarlierHit && { heldByEarlierHit: true }),
        ...((riskFloor || heldByHit || heldByEarlierHit) && { caseLevel: level }),
        route: record.route,
        round: input.round,
        outcomes: Object.fromEntries(record.results.map((r) => [r.check, r.outcome])),
      },
    });
    if (input.alsoAudit) {
      const audit = input.alsoAudit(runId);
      await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    }
    return { ...record, level, riskFloor, runId, fourEyesRequired };
  });
}

/**
 * SQL: the open monitoring task's data with the conflicting insert's appended, list by list; the
 * field names are the schema's (literals, not parameters: they come from code, not input). The
 * parentheses matter: `||` and `->` bind alike, left to right, and `a || b -> k` is `(a || b) -> k`,
 * which is null here.
 */
const appendedMonitoringTaskData = sql`jsonb_build_object(${sql.join(
  MONITORING_TASK_FIELDS.map((field) => {
    const name = sql.raw(`'${field}'`);
    return sql`${name}, coalesce(${reviewTasks.data} -> ${name}, '[]'::jsonb) || (excluded.data -> ${name})`;
  }),
  sql`, `,
)})`;

/** What a case has been screened on and judged on: where a re-screening tells a new hit from one seen. */
export type ScreeningHistory = {
  evidence: { evidence: Record<string, unknown>; at: Date }[];
  judgments: CaseDecision[];
};

/**
 * Stores a case's re-screening runs, in one transaction; nothing (null) when a run committed
 * meanwhile already screened the case against these list versions. `findNewHits` picks the likely
 * matches not seen on this case before, from its history read on the locked case: two runs on
 * different list versions (two imports, a reviewer's retry) that both screened the case before
 * either stored would otherwise both count one hit as new, and the trader would be alerted (and
 * the task hold it) twice. With new hits it also flags the case's risk (escalated, high,
 * rescreen_hit_at) and writes the `screening.rescreen_hit` audit event; the case's status is left
 * alone. On a case with an approval in force it opens the monitoring task that holds that
 * approval, with the outbox event; on a submission awaiting its decision the hits join the
 * round's, which a person judges before approving, the raised risk asks for four eyes where
 * `fourEyesAtHigh`, and the case's sequence moves without an event.
 */
export async function recordRescreenRun<H extends MonitoringTaskHit>(input: {
  caseId: string;
  traderId: string;
  /** One run per set of answers screened (lib/checks/rescreen.ts). */
  records: RunRecord[];
  findNewHits: (history: ScreeningHistory) => H[];
  /** The outbox event announcing these monitoring hits (built by the caller, who knows the payload). */
  outbox: (hits: MonitoringTaskHit[]) => OutboxBuilder;
  /** Whether a high risk needs four eyes (FOUR_EYES_MIN_RISK). */
  fourEyesAtHigh: boolean;
  /** Another audit row of the runs (an officer's retry that started them), given their ids. */
  alsoAudit?: (runIds: string[]) => AuditInput;
  now: Date;
}): Promise<{ runIds: string[]; newHits: H[] } | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const kycCase = await lockCase(tx, input.caseId);
    if (!kycCase) throw new Error("recordRescreenRun: no such case");
    // One screening per case per list versions, as listCasesToRescreen counts them: a reviewer's
    // "run the checks now" and an import that both read the case as pending would otherwise
    // both store the hit as new, and the trader would be alerted (and the task hold it) twice.
    // Asked in its own statement after the lock, so it sees a run committed while this waited.
    const versions = input.records[0]?.listVersions;
    if (versions && Object.keys(versions).length > 0) {
      const [row] = await tx
        .select({
          done: screenedAgainst(
            sql`${input.caseId}::uuid`,
            sql`${JSON.stringify(versions)}::jsonb`,
            awaitingDecision(kycCase) ? sql`${kycCase.round}::int` : undefined,
          ),
        })
        .from(kycCases)
        .where(eq(kycCases.id, input.caseId));
      if (row?.done === true) return null;
    }
    // Read before this run is stored, after the lock: a run committed while this waited counts.
    const [evidence, judgments] = await Promise.all([
      listScreeningEvidence(input.caseId, tx),
      listScreeningJudgments(input.caseId, tx),
    ]);
    const newHits = input.findNewHits({ evidence, judgments });
    const runIds: string[] = [];
    for (const record of input.records)
      runIds.push(
        await insertRun(tx, { ...input, record, round: kycCase.round, reason: "rescreen" }),
      );
    if (input.alsoAudit) {
      const audit = input.alsoAudit(runIds);
      await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    }
    const [runId] = runIds;
    const [record] = input.records;
    if (newHits.length === 0 || !runId || !record) return { runIds, newHits: [] };
    const hits = newHits.map(({ source, entryId, score }) => ({ source, entryId, score }));
    // When the hit is recorded, not when the run began (an import's re-screening may take
    // minutes): a four-eyes signature before this moment no longer counts (listRoundApprovals),
    // and signatures wait for this row's lock (insertSignature).
    const hitAt = new Date();
    await tx
      .insert(caseRisk)
      .values({
        caseId: input.caseId,
        runId,
        score: record.score,
        level: "high",
        route: record.route,
        escalated: true,
        rescreenHitAt: hitAt,
        computedAt: input.now,
      })
      .onConflictDoUpdate({
        target: caseRisk.caseId,
        set: { level: "high", escalated: true, rescreenHitAt: hitAt },
      });
    await tx
      .update(kycCases)
      .set(
        awaitingDecision(kycCase) && input.fourEyesAtHigh
          ? { riskLevel: "high", fourEyesRequired: true }
          : { riskLevel: "high" },
      )
      .where(eq(kycCases.id, input.caseId));
    await tx.insert(auditEvents).values({
      actorType: "system",
      actorId: "checks",
      action: RESCREEN_HIT_AUDIT,
      caseId: input.caseId,
      traderId: input.traderId,
      // The hit's own moment, as case_risk has it: the export derives an approval's signers from
      // these entries (lib/db/queries/review.ts countingSince), long after case_risk moved on.
      occurredAt: hitAt,
      data: rescreenHitAuditData.parse({
        runId,
        runIds,
        hits,
        lists: record.listVersions,
      }),
    });
    // Decided on the locked row, not as the caller listed the case: it may have moved since.
    if (!approvalInForce(kycCase)) {
      // Nobody outside hears of it, but the console's pages read before it are out of date: the
      // case's sequence moves (a number the outbox skips), so a decision taken on one of them is
      // refused as `changed` (lib/review/shown-case.ts), also under the case's lock.
      await nextCaseEventSequence(tx, input.caseId);
      return { runIds, newHits };
    }
    // One open task per case: a second hit before the first is decided joins the open task.
    await tx
      .insert(reviewTasks)
      .values({
        caseId: input.caseId,
        kind: MONITORING_TASK,
        data: monitoringTaskData.parse({ runIds, hits }),
        openedAt: input.now,
      })
      .onConflictDoUpdate({
        target: [reviewTasks.caseId, reviewTasks.kind],
        targetWhere: sql`${reviewTasks.closedAt} is null`,
        set: { data: appendedMonitoringTaskData },
      });
    await insertCaseOutboxEvent(tx, kycCase, input.outbox(hits), input.now);
    return { runIds, newHits };
  });
}

/** Every screening result ever stored for the case (evidence jsonb, and when), oldest first. */
export async function listScreeningEvidence(
  caseId: string,
  tx?: Tx,
): Promise<{ evidence: Record<string, unknown>; at: Date }[]> {
  const db = tx ?? (await getDb());
  return db
    .select({ evidence: caseChecks.evidence, at: caseChecks.createdAt })
    .from(caseChecks)
    .where(and(eq(caseChecks.caseId, caseId), eq(caseChecks.check, "screening")))
    .orderBy(caseChecks.id);
}

/**
 * SQL: a run of the case with this id column screened a trader's answers against the lists at
 * `versions` (a jsonb source → version map), in `round` when given. Only a run whose screening
 * compared a name with the lists counts: one that had no personal data to screen, or no list
 * loaded, does not.
 */
function screenedAgainst(caseId: SQLWrapper, versions: SQL, round?: SQLWrapper): SQL {
  return sql`exists (select 1 from ${checkRuns} r join ${caseChecks} c on c.run_id = r.id
    where r.case_id = ${caseId} and r.list_versions = ${versions}
    and c."check" = 'screening' and c.evidence -> 'lists' is not null
    ${round === undefined ? sql`` : sql`and r.round = ${round}`})`;
}

/** SQL: the versions of the lists imported now, as runs record them (null: no list). */
const currentListVersions = sql`(select jsonb_object_agg(${screeningLists.source}, ${screeningLists.version}) from ${screeningLists})`;

/**
 * Whether the case's current round may be decided on its screening: no list is imported, or a
 * run of the round (its submission's checks, or a re-screening) screened it against the versions
 * the database holds now. The lists can change between a submission's checks and its decision:
 * an approval on the lists of before could approve a person listed meanwhile. The approval asks
 * this on the locked case row (lib/kyc/cases.ts); without `tx` it is the console's early answer.
 */
export async function roundScreenedOnCurrentLists(caseId: string, tx?: Tx): Promise<boolean> {
  const db = tx ?? (await getDb());
  const [row] = await db
    .select({
      // Qualified by hand: in a one-table select drizzle writes bare column names, which inside
      // the subquery would name the run's own.
      current: sql<boolean>`${currentListVersions} is null or ${screenedAgainst(
        sql`"kyc_cases"."id"`,
        currentListVersions,
        sql`"kyc_cases"."round"`,
      )}`,
    })
    .from(kycCases)
    .where(eq(kycCases.id, caseId));
  return row?.current === true;
}

/**
 * The latest case of each trader that a list change concerns, not erased (the purge closes a
 * case and keeps its status) nor under an ended relationship (no customer left to monitor), that
 * no run has screened against the lists at `versions` (source → version) yet:
 * - a case with an approval in force (approved, or an upgrade of it open): ongoing monitoring;
 * - a submission awaiting its decision whose checks have run: it is decided on screening
 *   against the lists of the day, so a run of its current round must have screened it.
 * After a list change, every one of them; after a re-screening that was cut off, the ones it did
 * not reach. A case's runs are recorded in one transaction, so a case is either done or still
 * listed here: the next run resumes without screening anyone twice. A case whose answers could
 * not be screened (no personal data) stays listed, so it is tried again rather than taken as
 * screened.
 */
export async function listCasesToRescreen(
  versions: Record<string, string>,
  now: Date,
): Promise<CaseToRescreen[]> {
  const db = await getDb();
  const latest = db
    .selectDistinctOn([kycCases.traderId], {
      id: kycCases.id,
      traderId: kycCases.traderId,
      level: kycCases.level,
      status: kycCases.status,
      approvedLevel: kycCases.approvedLevel,
      round: kycCases.round,
      closedAt: kycCases.closedAt,
      openedAt: kycCases.openedAt,
    })
    .from(kycCases)
    .orderBy(kycCases.traderId, desc(kycCases.openedAt), desc(kycCases.id))
    .as("latest");
  const awaitingDecision = inArray(latest.status, [...AWAITING_DECISION_STATUSES]);
  const at = sql`${JSON.stringify(versions)}::jsonb`;
  return db
    .select({
      id: latest.id,
      traderId: latest.traderId,
      level: latest.level,
      status: latest.status,
      approvedLevel: latest.approvedLevel,
      round: latest.round,
    })
    .from(latest)
    .where(
      and(
        or(
          eq(latest.status, "approved"),
          // An open upgrade leaves its approval in force (lib/kyc/case-state.ts approvalInForce):
          // that approval is monitored like any other, or a trader listed while upgrading keeps
          // trading.
          and(isNotNull(latest.approvedLevel), inArray(latest.status, [...UPGRADE_OPEN_STATUSES])),
          // Before its checks ran, the checks themselves screen it against the lists of the day.
          and(
            awaitingDecision,
            sql`exists (select 1 from ${checkRuns} s where s.case_id = ${latest.id}
              and s.round = ${latest.round} and s.reason = 'submission')`,
          ),
        ),
        isNull(latest.closedAt),
        not(underEndedRelationship(latest, now)),
        not(
          sql`case when ${awaitingDecision} then ${screenedAgainst(latest.id, at, latest.round)}
            else ${screenedAgainst(latest.id, at)} end`,
        ),
      ),
    )
    .orderBy(asc(latest.id));
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

/** The run the case's risk rests on (case_risk.run_id), with its results; none without one. */
export async function getRiskRun(
  caseId: string,
): Promise<
  | { run: CheckRun; results: CaseCheckRow[]; rescreenHitAt: Date | null; escalated: boolean }
  | undefined
> {
  const db = await getDb();
  const [row] = await db
    .select({
      run: checkRuns,
      rescreenHitAt: caseRisk.rescreenHitAt,
      escalated: caseRisk.escalated,
    })
    .from(caseRisk)
    .innerJoin(checkRuns, eq(checkRuns.id, caseRisk.runId))
    .where(eq(caseRisk.caseId, caseId));
  if (!row) return undefined;
  const results = await db
    .select()
    .from(caseChecks)
    .where(and(eq(caseChecks.caseId, caseId), eq(caseChecks.runId, row.run.id)))
    .orderBy(caseChecks.id);
  return { run: row.run, results, rescreenHitAt: row.rescreenHitAt, escalated: row.escalated };
}

/** Every run of the case with its results, oldest first (the evidence export). */
export async function listCheckRunsWithResults(
  caseId: string,
): Promise<{ run: CheckRun; results: CaseCheckRow[] }[]> {
  const db = await getDb();
  const runs = await db
    .select()
    .from(checkRuns)
    .where(eq(checkRuns.caseId, caseId))
    .orderBy(asc(checkRuns.createdAt), asc(checkRuns.id));
  if (runs.length === 0) return [];
  const results = await db
    .select()
    .from(caseChecks)
    .where(eq(caseChecks.caseId, caseId))
    .orderBy(asc(caseChecks.id));
  return runs.map((run) => ({ run, results: results.filter((r) => r.runId === run.id) }));
}
