/**
 * Everything the console's case page shows, loaded in one place and parsed with the schemas the
 * writers use (stored check evidence through lib/checks/evidence.ts): the page renders what this
 * returns and never reads the database or guesses a stored shape. Each load is an audited view.
 */
import { isDeepStrictEqual } from "node:util";
import { PERIODIC_REVIEW_TASK, periodicReviewView } from "./periodic";
import { listCaseEvents } from "@/lib/db/queries/cases";
import {
  getCheckClaim,
  getCheckFailure,
  getLatestCheckRun,
  getRiskRun,
  MONITORING_TASK,
  roundScreenedOnCurrentLists,
} from "@/lib/db/queries/checks";
import { listCurrentDocuments } from "@/lib/db/queries/documents";
import { listCaseSubmissions } from "@/lib/db/queries/drafts";
import { getRelationshipEndOfCase } from "@/lib/db/queries/ended-relationship";
import { listDeliveryLogForCase } from "@/lib/db/queries/outbox";
import {
  getCaseById,
  getOpenReviewTask,
  listCaseDecisions,
  listRoundApprovals,
  listTraderCases,
} from "@/lib/db/queries/review";
import { listActiveStaff, listStaffByIds } from "@/lib/db/queries/staff";
import { getTraderById } from "@/lib/db/queries/traders";
import { VENDOR_VERDICT_TASK } from "@/lib/db/queries/vendors";
import {
  lateVerdictTaskData,
  vendorVerdictSchema,
  type VendorVerdict,
} from "@/lib/vendors/verdict";
import {
  loadReplacedCaptures,
  loadVendorState,
  type VendorState,
} from "@/lib/vendors/verification";
import { readCheckEvidence, type ReadEvidence } from "@/lib/checks/evidence";
import { AUTO_APPROVAL_REFUSED, autoApprovalRefusedData } from "@/lib/checks/run";
import { getRunAuditEvent } from "@/lib/db/queries/audit";
import type { CaseCheckRow, KycCase, ReviewTask } from "@/lib/db/schema";
import { messagesFor } from "@/lib/i18n/catalogs";
import { directionOf, pickLocale } from "@/lib/i18n/config";
import { approvedRoundOf, isFinalRejection, isMove } from "@/lib/kyc/case-state";
import { readAttemptNote } from "@/lib/delivery/attempt-note";
import { getLevel } from "@/lib/kyc/levels";
import { submittedAnswersSchema } from "@/lib/kyc/answers";
import { loadCaseProgress, loadRejection } from "@/lib/kyc/submission";
import { caseCipher } from "@/lib/security/case-keys";
import { isAppError } from "@/lib/errors";
import { hasRole } from "@/lib/staff/auth";
import { caseSummary, type SubmittedRound } from "./case-summary";
import { documentComparisons } from "./document-fields";
import type { QueueQuery } from "./queue";
import { queueNeighbours } from "./queue-neighbours";
import { caseControls, hitControls, hitsJudgeable, OPEN_STATUSES } from "./controls";
import { approvalBlocker, auditCaseView } from "./decisions";
import { documentsWithoutFile } from "./documents";
import { reasonsForLevel } from "./reasons";
import { riskFromEarlierRound, riskMarks } from "./risk";
import type { VendorTaskShown } from "./late-verdict";
import { loadCaseHits, unreadableTaskStanding } from "./screening-hits";
import type { Reviewer } from "./types";

/** An open late-verdict task as the case page shows it; unreadable evidence shows none. */
function lateVerdictView(task: (ReviewTask & { fingerprint: string }) | undefined) {
  if (!task) return null;
  const data = lateVerdictTaskData.safeParse(task.data);
  // What the keep form sends back: the approval is kept on this verdict or not at all.
  const shown: VendorTaskShown = { taskId: task.id, taskFingerprint: task.fingerprint };
  return { openedAt: task.openedAt, data: data.success ? data.data : null, shown };
}

/**
 * The trader's language (the `lang` of their latest launch) and what the reason catalog says in
 * it: what the trader reads when a case is rejected, and a start for a message to them.
 */
async function traderLanguage(preferred: string | undefined) {
  const code = pickLocale(preferred) ?? "en";
  const catalog = await messagesFor(code);
  const reasons = catalog.RejectReasons;
  const texts: Record<string, string> = {};
  if (reasons && typeof reasons === "object")
    for (const [key, text] of Object.entries(reasons))
      if (typeof text === "string") texts[key] = text;
  return {
    code,
    name: new Intl.DisplayNames(["en"], { type: "language" }).of(code) ?? code,
    dir: directionOf(code),
    reasonTexts: texts,
  };
}

export type CheckLine = Pick<CaseCheckRow, "id" | "check" | "outcome" | "riskPoints"> & {
  evidence: ReadEvidence;
};

/**
 * The last two submitted rounds, decrypted and parsed with the submit's schema: enough to say
 * what changed since the last round. A round that does not parse reads as empty answers; an
 * erased case (its key destroyed) has no rounds to compare, and the page shows its tombstone.
 */
async function lastRounds(caseId: string): Promise<SubmittedRound[]> {
  const submissions = (await listCaseSubmissions(caseId)).slice(-2);
  if (submissions.length < 2) return [];
  let cipher: Awaited<ReturnType<typeof caseCipher>>;
  try {
    cipher = await caseCipher(caseId);
  } catch (error) {
    if (isAppError(error) && error.code === "GONE") return [];
    throw error;
  }
  return submissions.map((s) => {
    const answers = cipher.decryptJson(s.payload, submittedAnswersSchema);
    return {
      round: s.round,
      submittedAt: s.submittedAt,
      answers: answers.success ? answers.data : {},
      documentIds: s.documentIds,
    };
  });
}

async function loadCaseFile(staff: Reviewer, caseId: string, from: QueueQuery) {
  const kycCase = await getCaseById(caseId);
  if (!kycCase) return null;
  await auditCaseView(staff, kycCase.id, "case_page");
  // Shown on the page and read by the approval's blocker: asked once, for both; so is the
  // monitoring task the hits depend on.
  const monitoringAsked = getOpenReviewTask(kycCase.id, MONITORING_TASK);
  const hitsAsked = monitoringAsked.then((monitoringTask) =>
    loadCaseHits(kycCase, { monitoringTask }),
  );
  const screenedAsked = roundScreenedOnCurrentLists(kycCase.id);
  const [
    trader,
    progress,
    events,
    documents,
    decisions,
    approvals,
    history,
    latestRun,
    riskRun,
    failure,
    hits,
    blocker,
    monitoringTask,
    periodicTask,
    vendorTask,
    deliveryLog,
    rejection,
    rounds,
    neighbours,
    vendorState,
    relationshipEndedAt,
    replacedCaptures,
    screenedOnCurrentLists,
    claim,
  ] = await Promise.all([
    getTraderById(kycCase.traderId),
    loadCaseProgress(kycCase, { unreadableDrafts: "list" }),
    listCaseEvents(kycCase.id),
    listCurrentDocuments(kycCase.id),
    listCaseDecisions(kycCase.id),
    listRoundApprovals(kycCase.id),
    listTraderCases(kycCase.traderId),
    getLatestCheckRun(kycCase.id),
    getRiskRun(kycCase.id),
    getCheckFailure(kycCase.id),
    hitsAsked,
    approvalBlocker(kycCase, { hits: hitsAsked, screenedOnCurrentLists: screenedAsked }),
    monitoringAsked,
    getOpenReviewTask(kycCase.id, PERIODIC_REVIEW_TASK),
    getOpenReviewTask(kycCase.id, VENDOR_VERDICT_TASK),
    listDeliveryLogForCase(kycCase.id),
    loadRejection(kycCase),
    lastRounds(kycCase.id),
    queueNeighbours(staff, kycCase, from),
    loadVendorState(kycCase),
    getRelationshipEndOfCase(kycCase.id, new Date()),
    loadReplacedCaptures(kycCase.id),
    screenedAsked,
    getCheckClaim(kycCase.id),
  ]);
  const team = hasRole(staff, "approver") ? await listActiveStaff() : [];
  const named = await listStaffByIds([
    ...new Set([
      ...decisions.map((d) => d.staffId),
      ...hits.flatMap((h) => h.judgments.map((j) => j.staffId)),
      ...events.flatMap((e) => (e.actorType === "staff" ? [e.actorId] : [])),
      ...(kycCase.assignedTo ? [kycCase.assignedTo] : []),
    ]),
  ]);
  const names = new Map(named.map((p) => [p.id, p.displayName || p.email]));
  const nameOf = (id: string): string | null => names.get(id) ?? null;
  const checksOfRound = latestRun?.run.round === kycCase.round ? latestRun : undefined;
  const declined = declinedRoundOf(kycCase, events);
  const refusal =
    checksOfRound?.run.route === "auto_approve"
      ? await getRunAuditEvent(kycCase.id, AUTO_APPROVAL_REFUSED, checksOfRound.run.id)
      : undefined;
  const approval = {
    blocker,
    signedByMe: approvals.some((a) => a.staffId === staff.id),
    signedByOther: approvals.some((a) => a.staffId !== staff.id),
    signatures: approvals.length,
  };
  const unreadableTask = monitoringTask
    ? await unreadableTaskStanding(kycCase, monitoringTask, hits)
    : null;
  const controls = caseControls(staff, {
    status: kycCase.status,
    assignedTo: kycCase.assignedTo,
    fourEyesRequired: kycCase.fourEyesRequired,
    blocker,
    signedByMe: approval.signedByMe,
    signedByOther: approval.signedByOther,
    checksOfRound: Boolean(checksOfRound),
    screeningOutdated: !screenedOnCurrentLists,
    vendorVerdictOpen: vendorTask !== undefined,
    approvedLevel: kycCase.approvedLevel,
    unreadableMonitoringTask: unreadableTask ? { hitsBlocker: unreadableTask.blocker } : undefined,
    confirmedMatch: hits.some((h) => h.state === "confirmed"),
  });
  const judgeable = hitsJudgeable(kycCase.status, monitoringTask !== undefined);
  const fromEarlierRound = riskFromEarlierRound(
    kycCase,
    checksOfRound !== undefined,
    riskRun?.rescreenHitAt ?? null,
  );
  const level = getLevel(kycCase.level);
  const language = await traderLanguage(trader?.preferredLocale);
  const shown = documents.filter((d) => d.status !== "pending");
  const filesGone = await documentsWithoutFile(kycCase.traderId, shown);
  const file = {
    kycCase,
    trader,
    progress,
    events,
    documents: shown,
    /** Documents whose stored file an erasure the storage stopped part-way had deleted. */
    filesGone,
    decisions,
    history: history.filter((c) => c.id !== kycCase.id),
    checks: checksOfRound
      ? {
          run: checksOfRound.run,
          /** Why its automatic approval left the case to a person (null: it did not). */
          autoApprovalRefused: refusal
            ? (autoApprovalRefusedData.safeParse(refusal.data).data?.reason ?? null)
            : null,
          lines: checksOfRound.results.map((r): CheckLine => ({
            id: r.id,
            check: r.check,
            outcome: r.outcome,
            riskPoints: r.riskPoints,
            evidence: readCheckEvidence(r.check, r.evidence),
          })),
        }
      : null,
    /**
     * The run the case's risk rests on when `checks` shows another (null: it is that one, or no
     * run of the round is shown): after a declined upgrade or renewal the risk may be the
     * approved round's, and the summary explains it by that run, not by the declined round's.
     */
    riskRun:
      riskRun && checksOfRound && riskRun.run.id !== checksOfRound.run.id
        ? {
            run: riskRun.run,
            lines: riskRun.results.map((r) => ({
              check: r.check,
              outcome: r.outcome,
              riskPoints: r.riskPoints,
            })),
          }
        : null,
    /**
     * The case is back on its approval after a declined upgrade or renewal, and `checks` shows
     * the declined round's run: the page says so, and which round the approval rests on.
     */
    declinedRound:
      declined && checksOfRound
        ? { round: declined.round, approvedRound: declined.approvedRound }
        : null,
    /** The case's risk is the last round's: this round's checks have not set one yet. */
    riskFromEarlierRound: fromEarlierRound,
    /** What both of the page's risk lines say after the level (lib/review/risk.ts riskMarks). */
    riskMarks: riskMarks({
      fromEarlierRound,
      floor: kycCase.riskFloor,
      escalated: riskRun?.escalated ?? false,
      hits,
      openHitTask: monitoringTask !== undefined,
    }),
    /** A failed run of the current round, shown with a retry control. */
    checkFailure: failure && failure.round === kycCase.round && !checksOfRound ? failure : null,
    /**
     * Until when the run holding the case keeps others off it: a retry before then is refused
     * as `checks_running`, also when that run's process died (null: no run holds it).
     */
    checksClaimedUntil: claim && claim.leaseUntil > new Date() ? claim.leaseUntil : null,
    hits: hits.map((h) => ({ ...h, controls: hitControls(staff, h, judgeable) })),
    monitoringTask: monitoringTask
      ? { ...monitoringTask, unreadable: unreadableTask !== null }
      : null,
    periodicReview: periodicReviewView(periodicTask),
    lateVendorVerdict: lateVerdictView(vendorTask),
    /**
     * Why the vendor's final verdict is not there (its API answered that it does not exist, or the
     * stored one does not read): shown whatever the checks' last run says (a decided case's
     * checks do not run again).
     */
    vendorVerdictMissing: vendorState?.verdictMissing
      ? { vendor: vendorState.vendor, reason: vendorState.verdictMissing }
      : null,
    /**
     * When the trader's relationship ended (null: it goes on). A monitoring hit or late vendor
     * verdict stays open past the end: deciding it (and perhaps reporting it) is an AML duty.
     */
    relationshipEndedAt,
    vendorVerdictAfterChecks: verdictAfterChecks(kycCase, checksOfRound?.results, vendorState),
    vendorVerdictRestored: verdictOfRestoredApproval(declined, vendorState),
    /** Earlier captures at the vendor, replaced by a later one: kept as evidence. */
    replacedCaptures,
    deliveryLog: deliveryLog.map((d) => ({
      ...d,
      attemptLog: d.attemptLog.map((a) => ({ ...a, note: readAttemptNote(a.note) })),
    })),
    rejection,
    team,
    /** Staff by name (or e-mail), never by id; `null` for an id with no account behind it. */
    nameOf,
    /** Who holds the case: the viewer, someone else (by name), or nobody. */
    assignee: kycCase.assignedTo
      ? { me: kycCase.assignedTo === staff.id, name: nameOf(kycCase.assignedTo) }
      : null,
    approval,
    controls,
    /** Reasons that fit the case: its level's steps and documents (final ones to withdraw). */
    reasons:
      controls.revoke !== undefined
        ? reasonsForLevel(level).filter((r) => r.kind === "final")
        : reasonsForLevel(level),
    /** The trader's language and the reason catalog in it. */
    language,
    finalRejection: isFinalRejection(kycCase),
    /** The cases before and after this one in its queue (the j / k shortcuts). */
    neighbours,
  };
  return { file, rounds };
}

/**
 * The vendor's stored verdict when the case is decided and the checks' last run does not carry
 * it: it arrived after the decision, and a decided case's checks do not run again (an approved
 * one's late verdict may also have opened a task; a rejected or expired one keeps it only as
 * evidence). Without this the checks would go on saying "no verdict yet".
 */
function verdictAfterChecks(
  kycCase: Pick<KycCase, "status">,
  results: { check: string; evidence: unknown }[] | undefined,
  vendorState: VendorState | null,
): VendorVerdict | null {
  if (OPEN_STATUSES.has(kycCase.status) || !vendorState?.verdict) return null;
  const line = results?.find((r) => r.check === "vendor");
  const shown = vendorVerdictSchema.safeParse(line?.evidence);
  return shown.success && isDeepStrictEqual(shown.data, vendorState.verdict)
    ? null
    : vendorState.verdict;
}

/**
 * The round the last move, a declined upgrade (or early renewal), declined, and the round the
 * approval it went back to decided: only when the declined round was submitted (one declined as
 * a draft, or lapsed, never moved the round, and the case's latest round is the approved one).
 * Null otherwise.
 */
function declinedRoundOf(
  kycCase: Pick<KycCase, "round">,
  events: readonly { id: number; event: string; occurredAt: Date }[],
): { round: number; approvedRound: number; declinedAt: Date } | null {
  const ordered = [...events].sort((a, b) => a.id - b.id);
  const decline = ordered.filter((e) => isMove(e.event)).at(-1);
  if (decline?.event !== "decline_upgrade") return null;
  const approvedRound = approvedRoundOf(ordered);
  if (approvedRound === null || kycCase.round <= approvedRound) return null;
  return { round: kycCase.round, approvedRound, declinedAt: decline.occurredAt };
}

/**
 * Whether the vendor's verdict shown beside the checks is the one the approval in force rests on,
 * put back by a declined upgrade (or early renewal), beside the checks of the declined round
 * (declinedRoundOf), while no later verdict replaced it (a vendor re-reviewing the same applicant
 * after the decline; the one replaced is kept among the earlier captures).
 */
function verdictOfRestoredApproval(
  declined: { declinedAt: Date } | null,
  vendorState: VendorState | null,
): boolean {
  return (
    declined !== null &&
    vendorState?.verdictAt != null &&
    vendorState.verdictAt <= declined.declinedAt
  );
}

/** What the case file loads; the summary on top of the page is computed from it. */
export type CaseFileBase = NonNullable<Awaited<ReturnType<typeof loadCaseFile>>>["file"];

/** `from`: the page's URL query, which names the queue the case was opened from (j / k). */
export async function getCaseFile(staff: Reviewer, caseId: string, from: QueueQuery = {}) {
  const loaded = await loadCaseFile(staff, caseId, from);
  if (!loaded) return null;
  return {
    ...loaded.file,
    summary: caseSummary(loaded.file, loaded.rounds),
    /** Each document type beside the typed fields its document should show. */
    comparisons: documentComparisons(loaded.file),
  };
}

export type CaseFile = NonNullable<Awaited<ReturnType<typeof getCaseFile>>>;
