/**
 * Runs the automated checks of a submitted case and routes it. Never call this inside the
 * trader's request: screening and the database work take time, and the trader's submit must not
 * wait for (or fail because of) them. Call it from a worker or from `after()` once the submit
 * has been answered; `runPendingCaseChecks` is the sweep a worker runs to catch up on any case
 * still waiting (a crash between submit and checks leaves the case submitted, never lost).
 *
 * Order: the run is stored first (one transaction: fingerprints, results, risk and four eyes on
 * the case, audit), then the route is applied through the case state machine. A submitted case
 * always moves to review (so it appears in the queue); an `auto_approve` route then approves it.
 * An escalated case stays in review with high risk and `case_risk.escalated` set. A run belongs
 * to the submission round it read (`kyc_cases.round`): the database refuses an approval until the
 * current round has one.
 *
 * One run of a case at a time: a run claims the case first (check_claims), and the submit's
 * `after()`, the sweep and an officer's retry that find it claimed, the round already checked,
 * or the case no longer awaiting a decision, leave it (a CONFLICT with reason `checks_running`,
 * `checks_done` or `changed`): a race, not a failure, logged as `checks.skipped`.
 */
import { z } from "zod";
import {
  claimCaseChecks,
  getCaseById,
  listCasesAwaitingChecks,
  recordCheckFailure,
  recordSubmissionRun,
  releaseCaseChecks,
  renewCaseChecks,
  roundAwaitsChecks,
  type RunRecord,
  type SubmissionRunRecord,
} from "@/lib/db/queries/checks";
import { appendAuditEvent, auditInTransaction } from "@/lib/db/queries/audit";
import { listCurrentDocuments } from "@/lib/db/queries/documents";
import { analyzeCaseDocuments, readIdentityMrz } from "@/lib/documents/analysis";
import type { KycCase } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError, errorFacts, errorMessage } from "@/lib/errors";
import { log } from "@/lib/log";
import { traced } from "@/lib/telemetry";
import { changeCaseStatus } from "@/lib/kyc/cases";
import { awaitingDecision } from "@/lib/kyc/case-state";
import { APPROVED_AUDIT, approvalAuditData } from "@/lib/review/approval-record";
import { needsFourEyes } from "@/lib/review/risk";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { screeningListStates } from "@/lib/screening/status";
import { getScreeningIndex } from "@/lib/screening/store";
import { vendorForLevel } from "@/lib/vendors/registry";
import { loadVendorState } from "@/lib/vendors/verification";
import { runChecks, type CheckContext } from "./checks";
import { countedScreeningHits } from "./evidence";
import { decideRisk, riskConfig } from "./risk";
import { getLevel } from "@/lib/kyc/levels";
import { ofSavedIdentityKind } from "@/lib/kyc/requirements";
import { retryAudit } from "./retry-audit";
import { buildSnapshot, identityFingerprint, IDENTITY_FINGERPRINT_KIND } from "./snapshot";
import type { CheckResult } from "./types";

export const CHECKS_ACTOR = { type: "system", id: "checks" } as const;
const CHECKS_ACTOR_AUDIT = { actorType: "system", actorId: "checks" } as const;

export const AUTO_APPROVAL_REFUSED = "checks.auto_approval_refused";

/** PostgreSQL's SQLSTATE for a check violation, which the approval triggers raise. */
const CHECK_VIOLATION = "23514";

/**
 * Why a run routed to automatic approval left the case in review for a person: a risk floor a
 * person set (a periodic review raised the risk), its four-eyes risk, a screening list not current (stale, failing or never imported: lib/screening/status.ts),
 * a hold on the approval in force, or a list import that committed while it ran. The audit
 * event's data, written here and read by the case page (lib/review/case-file.ts).
 */
export const autoApprovalRefusedData = z.object({
  runId: z.string(),
  round: z.number().int(),
  reason: z.enum([
    "risk_floor",
    "four_eyes",
    "lists_not_current",
    "approval_on_hold",
    "screening_outdated",
  ]),
});
export type AutoApprovalRefusal = z.infer<typeof autoApprovalRefusedData>["reason"];

/**
 * The run says "automatic approval" and the case sits in review: the trail says why, so nobody
 * reads the run as an approval that was lost. Its own write, at the run's time.
 */
async function auditAutoApprovalRefused(
  kycCase: Pick<KycCase, "id" | "round" | "traderId">,
  runId: string,
  reason: AutoApprovalRefusal,
  now: Date,
): Promise<void> {
  await appendAuditEvent({
    ...CHECKS_ACTOR_AUDIT,
    action: AUTO_APPROVAL_REFUSED,
    caseId: kycCase.id,
    traderId: kycCase.traderId,
    occurredAt: now,
    data: autoApprovalRefusedData.parse({ runId, round: kycCase.round, reason }),
  });
}

/**
 * How long a run's claim on its case lasts: well past the analysis, OCR and screening of one case.
 * A run that dies holding it (a killed worker) keeps others off the case until then. A run still
 * working renews it every CHECK_CLAIM_HEARTBEAT_MS, so a slow run is not overtaken; one that
 * could not renew it (its process stalled, the database unreachable) and was overtaken records
 * nothing: only the run holding the claim records (recordSubmissionRun).
 */
export const CHECK_CLAIM_LEASE_MS = 10 * 60_000;
/** How often a working run renews its claim: a few renewals fit in one lease. */
export const CHECK_CLAIM_HEARTBEAT_MS = CHECK_CLAIM_LEASE_MS / 4;
/**
 * The longest a run keeps its case: the heartbeat renews no lease ending later, so a run that
 * hangs (an OCR or storage read that never returns) is overtaken once it ends, and records nothing.
 */
export const CHECK_RUN_MAX_MS = 3 * CHECK_CLAIM_LEASE_MS;

/**
 * Renews the run's claim while it works (see CHECK_CLAIM_LEASE_MS), on the run's clock: its
 * `now` plus the time it has taken. Stops once the claim is found taken over, and before a lease
 * would end past CHECK_RUN_MAX_MS; a renewal that fails is logged, the next one tries again.
 */
function keepClaim(caseId: string, token: string, now: Date): { stop(): void } {
  const started = Date.now();
  const timer = setInterval(() => {
    const took = Date.now() - started;
    if (took + CHECK_CLAIM_LEASE_MS > CHECK_RUN_MAX_MS) {
      clearInterval(timer);
      log.warn("checks.run_overdue", { caseId, tookMs: took });
      return;
    }
    const at = new Date(now.getTime() + took);
    renewCaseChecks(caseId, token, at, CHECK_CLAIM_LEASE_MS).then(
      (held) => {
        if (held) return;
        clearInterval(timer);
        log.warn("checks.claim_lost", { caseId });
      },
      (error: unknown) => log.warn("checks.claim_not_renewed", { caseId, ...errorFacts(error) }),
    );
  }, CHECK_CLAIM_HEARTBEAT_MS);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}

const NOT_NEEDED = new Set<string | undefined>(["checks_running", "checks_done", "changed"]);

/**
 * Why a run did not run when that is no failure: another run holds the case (`checks_running`),
 * the round was checked (`checks_done`), or the case moved on to the trader or a decision
 * (`changed`). Null for a real failure.
 */
function checksNotNeeded(error: unknown): string | null {
  return error instanceof AppError && error.code === "CONFLICT" && NOT_NEEDED.has(error.reason)
    ? (error.reason ?? null)
    : null;
}

/**
 * The log line of a run that threw, for the callers that only log (the submit's `after()`, the
 * sweep): a race is info, as what it is; only a real failure is `checks.failed`, an error that
 * asks someone to look.
 */
export function logChecksNotRun(caseId: string, error: unknown): void {
  const reason = checksNotNeeded(error);
  if (reason) log.info("checks.skipped", { caseId, reason });
  else log.error("checks.failed", { caseId, ...errorFacts(error) });
}

/** How long the sweep waits after a failed run: 30 s, doubling, at most an hour. */
export function checksBackoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export type CaseChecksOutcome = Omit<SubmissionRunRecord, "results"> & {
  runId: string;
  results: CheckResult[];
  fourEyesRequired: boolean;
  /** The case's status after the route was applied. */
  status: KycCase["status"];
};

type RunOptions = {
  now?: Date;
  /**
   * The officer whose "Run the checks now" this is: audited as `checks.retry_requested` with
   * what it did, in the transaction that records its run (or its failure); never for a retry
   * that was refused, nor one whose results were refused.
   */
  requestedBy?: { staffId: string };
};

/**
 * Runs the checks of the case's current round and routes it. A failure (anything thrown) is
 * recorded for the console and the sweep's back-off, then thrown on.
 */
export function runCaseChecks(
  caseId: string,
  options: RunOptions = {},
): Promise<CaseChecksOutcome> {
  return traced("kyc.checks.run", { "kyc.case_id": caseId }, () =>
    runCaseChecksNow(caseId, options),
  );
}

async function runCaseChecksNow(caseId: string, options: RunOptions): Promise<CaseChecksOutcome> {
  const now = options.now ?? new Date();
  if (!(await getCaseById(caseId))) throw new AppError("NOT_FOUND", "case not found");
  const claim = await claimCaseChecks(caseId, now, CHECK_CLAIM_LEASE_MS);
  if (!claim)
    throw new AppError("CONFLICT", "the checks of this case are running", {
      reason: "checks_running",
    });
  const heartbeat = keepClaim(caseId, claim, now);
  try {
    // Read under the claim: a run that held it before has recorded what it found.
    const kycCase = await getCaseById(caseId);
    if (!kycCase) throw new AppError("NOT_FOUND", "case not found");
    if (!awaitingDecision(kycCase))
      throw new AppError("CONFLICT", `cannot check a case that is ${kycCase.status}`, {
        reason: "changed",
      });
    if (!(await roundAwaitsChecks(kycCase.id, kycCase.round)))
      throw new AppError("CONFLICT", "the checks of this submission have run", {
        reason: "checks_done",
      });
    return await checkRoundOrRecord(kycCase, claim, now, options.requestedBy);
  } finally {
    heartbeat.stop();
    await releaseCaseChecks(caseId, claim).catch((error: unknown) =>
      log.warn("checks.claim_not_released", { caseId, ...errorFacts(error) }),
    );
  }
}

/** Checks the round; a failure (not a CONFLICT) is recorded for the console and the back-off. */
async function checkRoundOrRecord(
  kycCase: KycCase,
  claim: string,
  now: Date,
  requestedBy: RunOptions["requestedBy"],
): Promise<CaseChecksOutcome> {
  try {
    return await checkRound(kycCase, claim, now, requestedBy);
  } catch (error) {
    if (!(error instanceof AppError && error.code === "CONFLICT")) {
      const recorded = await recordCheckFailure({
        caseId: kycCase.id,
        claim,
        round: kycCase.round,
        error: errorMessage(error),
        now,
        backoffMs: checksBackoffMs,
        ...(requestedBy && {
          alsoAudit: retryAudit(requestedBy, kycCase, { outcome: "failed" }, now),
        }),
      }).catch((recordError: unknown) => {
        log.error("checks.failure_not_recorded", {
          caseId: kycCase.id,
          ...errorFacts(recordError),
        });
        return null;
      });
      // Taken over while it ran: the case is the new holder's, who records what it finds. Its
      // callers see the race it is (another run holds the case), not a failure to look into.
      if (recorded && "refused" in recorded) {
        log.warn("checks.failure_refused", {
          caseId: kycCase.id,
          reason: recorded.refused,
          ...errorFacts(error),
        });
        throw new AppError("CONFLICT", "the checks of this case are running", {
          reason: "checks_running",
          cause: error,
        });
      }
    }
    throw error;
  }
}

async function checkRound(
  kycCase: KycCase,
  claim: string,
  now: Date,
  requestedBy: RunOptions["requestedBy"],
): Promise<CaseChecksOutcome> {
  // Quality scores, perceptual hashes and look-alikes of the documents, kept off the trader's
  // upload (lib/documents/analysis.ts); the snapshot below reads them from the rows.
  await analyzeCaseDocuments(kycCase.id, kycCase.traderId);
  const [drafts, current, screening, vendor] = await Promise.all([
    loadStepDrafts(kycCase.id),
    listCurrentDocuments(kycCase.id),
    getScreeningIndex(),
    loadVendorState(kycCase),
  ]);
  // What the submit sent: only the chosen identity kind's photos, of the sides it has.
  const documents = ofSavedIdentityKind(drafts, current);
  const { appSecret, checks: settings, review } = env();
  const config = riskConfig();
  const ctx: CheckContext = {
    now,
    minAge: settings.minAge,
    config,
    screening: screening.index.entries.length > 0 ? screening : null,
  };
  const levelSteps = new Set<string>(getLevel(kycCase.level).steps);
  const base = buildSnapshot({
    caseId: kycCase.id,
    traderId: kycCase.traderId,
    level: kycCase.level,
    drafts,
    documents,
  });
  // Fail closed: a check that cannot read its step does not run, and the route only asks the
  // checks that ran to pass, so a declared PEP would go unseen. The failure is shown on the case
  // with a retry; asking the trader to redo the step is the way on.
  // Only the level's steps: one a configuration dropped from the level cannot be asked again.
  const unreadable = base.unreadable.filter((step) => levelSteps.has(step));
  if (unreadable.length > 0)
    throw new Error(`the stored answers of ${unreadable.join(", ")} cannot be read by the checks`);
  if (vendor)
    base.vendor = {
      vendor: vendor.vendor,
      verdict: vendor.verdict,
      missing: vendor.verdictMissing,
    };
  // The zone is read off the trader's request, once per round, on a worker thread. A level the
  // vendor verifies alone has no photo of ours to read: no MRZ check there (it would only warn).
  const mrz =
    settings.mrz && vendorForLevel(kycCase.level)?.local !== false
      ? await readIdentityMrz(documents, base.identityDocument?.documentKind)
      : undefined;
  const fingerprints = base.identityDocument
    ? [
        {
          kind: IDENTITY_FINGERPRINT_KIND,
          fingerprint: identityFingerprint(appSecret, base.identityDocument),
        },
      ]
    : [];

  let results: CheckResult[] = [];
  const record = await recordSubmissionRun({
    caseId: kycCase.id,
    traderId: kycCase.traderId,
    claim,
    round: kycCase.round,
    fingerprints,
    now,
    evaluate: (sameDocumentElsewhere) => {
      results = runChecks({ ...base, mrz, sameDocumentElsewhere }, ctx);
      const decision = decideRisk(results, config, settings.autoApprove);
      return {
        results,
        ...decision,
        listVersions: ctx.screening?.versions ?? {},
        screeningHits: countedScreeningHits(results.find((r) => r.check === "screening")?.evidence),
      };
    },
    fourEyes: (level) => needsFourEyes(level, review.fourEyesMinRisk),
    ...(requestedBy && {
      alsoAudit: (runId: string) =>
        retryAudit(requestedBy, kycCase, { outcome: "recorded", runIds: [runId] }, now),
    }),
  });
  if ("refused" in record)
    throw record.refused === "overtaken"
      ? new AppError("CONFLICT", "another run took the case over while these checks ran", {
          reason: "checks_running",
        })
      : new AppError(
          "CONFLICT",
          "the case moved on, or its round was checked, while these checks ran",
          { reason: "checks_done" },
        );

  // A risk a person raised is theirs to judge again: the checks' own clean result does not undo
  // it. A risk that needs four eyes needs two people, whatever the route. Nobody is approved without
  // a person on lists the operator has not kept current: the console warns a reviewer of them,
  // the checks have no one to warn. An upgrade is not approved on an approval in force that a
  // hold task puts in doubt: the approval itself refuses that (lib/kyc/cases.ts).
  const refusal: AutoApprovalRefusal | null =
    record.route !== "auto_approve"
      ? null
      : record.riskFloor
        ? "risk_floor"
        : record.fourEyesRequired
          ? "four_eyes"
          : (await screeningListStates(now)).warning
            ? "lists_not_current"
            : null;
  if (refusal) await auditAutoApprovalRefused(kycCase, record.runId, refusal, now);
  const status = await applyRoute(kycCase, refusal ? { ...record, route: "review" } : record, now);
  log.info("checks.completed", {
    caseId: kycCase.id,
    runId: record.runId,
    riskLevel: record.level,
    route: record.route,
    status,
  });
  return { ...record, results, status };
}

async function applyRoute(
  kycCase: Pick<KycCase, "id" | "status" | "round" | "traderId">,
  record: RunRecord & { runId: string },
  now: Date,
): Promise<KycCase["status"]> {
  let status = kycCase.status;
  const data = { runId: record.runId, route: record.route, level: record.level };
  try {
    if (status === "submitted" || status === "resubmitted") {
      ({ to: status } = (await changeCaseStatus({
        kycCase: { id: kycCase.id, status },
        event: "start_review",
        actor: CHECKS_ACTOR,
        data,
      })) as { to: KycCase["status"] });
    }
    if (record.route === "auto_approve" && status === "in_review") {
      // The approval's own moment, for its event and its record alike (the export pairs them).
      const approvedAt = new Date();
      ({ to: status } = (await changeCaseStatus({
        kycCase: { id: kycCase.id, status },
        event: "approve",
        actor: CHECKS_ACTOR,
        data,
        now: approvedAt,
        // Nobody signed it, and the record says so (lib/review/approval-record.ts).
        alsoInTransaction: auditInTransaction({
          ...CHECKS_ACTOR_AUDIT,
          action: APPROVED_AUDIT,
          caseId: kycCase.id,
          traderId: kycCase.traderId,
          data: approvalAuditData.parse({ automatic: true, runId: record.runId }),
          occurredAt: approvedAt,
        }),
      })) as { to: KycCase["status"] });
    }
  } catch (error) {
    // Someone (a reviewer) moved the case meanwhile: their decision stands; the results are
    // stored. Or the approval in force is held, or a list import committed while the checks ran:
    // the case stays in review for a person. The database's own approval guard (a check
    // violation) refuses what a re-screening changed meanwhile: a new hit, four eyes.
    const reason =
      error instanceof AppError && error.code === "CONFLICT"
        ? (error.reason ?? "moved")
        : errorFacts(error).errorCode === CHECK_VIOLATION && status === "in_review"
          ? "screening_outdated"
          : null;
    if (reason === null) throw error;
    log.info("checks.route_skipped", { caseId: kycCase.id, runId: record.runId, reason });
    // Written on its own: the refusal is a throw inside the approval's transaction, which rolls
    // back everything in it.
    if (reason === "approval_on_hold" || reason === "screening_outdated")
      await auditAutoApprovalRefused(kycCase, record.runId, reason, now);
    status = (await getCaseById(kycCase.id))?.status ?? status;
  }
  return status;
}

/**
 * The worker's sweep: checks every case whose current round has no run yet, oldest first,
 * skipping cases still backing off after a failure. One case failing is logged and does not stop
 * the others. Returns how many were checked.
 */
export async function runPendingCaseChecks(limit = 50, now = new Date()): Promise<number> {
  let done = 0;
  const started = Date.now();
  for (const kycCase of await listCasesAwaitingChecks(now, limit)) {
    try {
      // Each run's own moment: its claim's lease, and the start a later vendor verdict is compared
      // with, count from when it begins, not from the start of a sweep of up to `limit` cases.
      await runCaseChecks(kycCase.id, { now: new Date(now.getTime() + Date.now() - started) });
      done += 1;
    } catch (error) {
      logChecksNotRun(kycCase.id, error);
    }
  }
  return done;
}
