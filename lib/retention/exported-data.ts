/**
 * Which keys of an audit entry's or a case event's `data` the subject-access export may show the
 * trader: an allow-list per audit action and per case event, failing closed. A key not listed
 * here, or any key of an action or event not listed at all, is withheld and marked as such
 * (WITHHELD_VALUE), whoever wrote it.
 *
 * Why an allow-list and not a list of keys to hide: officers' own words (the reason for a
 * verdict, a reopening, a hold; a review's note) may record a suspicion, and telling the trader
 * is tipping-off (Directive (EU) 2015/849 Art. 39). A new writer that nests a note, names it
 * differently or writes it as the system would leak it past a deny-list; here it is withheld
 * until someone has looked at the key and listed it. Staff members' ids (an assignee, the one a
 * case was taken from) are another person's data (GDPR Art. 15(4)) and are not listed either.
 *
 * The same allow-list covers a decision's `data` (case_decisions, per decision) and a review
 * task's `data` (review_tasks, per kind): today they hold only what was decided and the task's
 * evidence, with the officer's reason in the decision's internal note, but a writer that adds a
 * note or a staff id there must not reach the trader by default either.
 *
 * A listed key is exported with everything under it: list a key only when all it can hold is
 * meant for the trader or is a fact of their own record (codes, dates, ids, hashes, levels,
 * the items a request named with the reasons the trader is shown, screening hits and verdicts).
 * tests/lib/retention/exported-data.test.ts fails on an action, event, decision or task kind
 * the code writes that is not classified here.
 *
 * A check's evidence (case_checks.evidence) is exported as stored, not through a list: the checks
 * write all of it (lib/checks/evidence.ts) from the trader's answers, documents and the lists; no
 * person writes into it. The same test lists every key its schemas have, reviewed as such, and
 * fails on a key added there until someone has looked at it. Only the other traders a duplicate
 * finding names are withheld from it (exportedEvidence, below).
 */

import type { z } from "zod";
import { CHECK_EVIDENCE } from "@/lib/checks/evidence";
import {
  type MonitoringTaskData,
  RESCREEN_HIT_AUDIT,
  type rescreenHitAuditData,
} from "@/lib/checks/monitoring-task";
import { MONITORING_TASK, VENDOR_VERDICT_TASK } from "@/lib/db/queries/hold-tasks";
import { PERIODIC_REVIEW_TASK } from "@/lib/db/queries/periodic-review";
import {
  approvalKeptData,
  type CaseDecisionKind,
  monitoringTaskClosedData,
  periodicReviewCompletedData,
  rejectDecisionData,
} from "@/lib/review/decision-data";
import {
  type CaseEventData,
  type checksRoutedData,
  rejectData,
  renewData,
  requestActionData,
  retryData,
  revokeData,
  upgradeData,
} from "@/lib/kyc/case-event-data";
import { lookalikeSchema, type Lookalike } from "@/lib/documents/stored-quality";
import type { PeriodicReviewTaskData } from "@/lib/review/periodic";
import { ERASURE_REQUESTED, type ErasureRequestedData } from "./erasure-data";
import type { SubjectAccessExportedData } from "./subject-access";
import type { ScreeningVerdictData } from "@/lib/review/screening-verdict";
import type { LateVerdictTaskData } from "@/lib/vendors/verdict";

/** What stands in the copy for a value that is withheld. */
export const WITHHELD_VALUE = "(withheld)";

/**
 * Keys of a stored shape, checked against its type (the output of the writer's zod schema): a
 * key renamed there fails to compile here, and a key added there stays withheld until listed.
 * Type-only: the export does not load the writers' modules (lib/review/periodic.ts) for a schema.
 */
const keysOf = <T>(keys: readonly (keyof T & string)[]): readonly string[] => keys;

/** keysOf for a shape with one member per outcome: a key of any member. */
const unionKeysOf = <T>(
  keys: readonly (T extends unknown ? keyof T & string : never)[],
): readonly string[] => keys;

const DECLINED_UPGRADE = keysOf<CaseEventData["decline_upgrade"]>([
  "reasonCode",
  "fromLevel",
  "toLevel",
  "restoredRound",
  "renewal",
  "documentExpiresOn",
  "lapsed",
]);
const DECLINE_AUDITED = [
  ...DECLINED_UPGRADE,
  "retiredDocumentIds",
  "restoredVendorReference",
  "restoredRiskLevel",
];
const CHECKS_ROUTED = keysOf<z.infer<typeof checksRoutedData>>(["runId", "route", "level"]);

/**
 * A verdict on a screening hit: the hit (list, entry, level, score, strength), the run that saw
 * it, and the role (not the person) of who judged it.
 */
const VERDICT = keysOf<ScreeningVerdictData>([
  "hitKey",
  "source",
  "entryId",
  "level",
  "score",
  "listedName",
  "runId",
  "strength",
  "role",
]);
/** A vendor's late verdict kept (lib/db/queries/vendors.ts): one object for decision and entry. */
const APPROVAL_KEPT = keysOf<z.infer<typeof approvalKeptData>>([
  "taskId",
  "resolution",
  "vendor",
  "outcome",
]);
/** A periodic review closed (lib/db/queries/periodic-review.ts): one object for both too. */
const PERIODIC_REVIEW_COMPLETED = keysOf<z.infer<typeof periodicReviewCompletedData>>([
  "taskId",
  "outcome",
  "riskLevel",
]);
/**
 * An unreadable monitoring task closed by an approver (lib/review/screening-hits.ts): the hits it
 * names are the list entries the screening verdicts export too.
 */
const MONITORING_TASK_CLOSED = keysOf<z.infer<typeof monitoringTaskClosedData>>([
  "taskId",
  "resolution",
  "clearedHits",
]);
const VENDOR = ["vendor", "reference"] as const;
/** lib/retention/tombstone.ts: the tombstone is the `retention.purged` entry's data. */
const TOMBSTONE = [
  "caseId",
  "traderId",
  "level",
  "outcome",
  "statusAtErasure",
  "rule",
  "openedAt",
  "decidedAt",
  "relationshipEndedAt",
  "purgedAt",
  "submissions",
  "documents",
] as const;

/**
 * Audit actions whose entries are never about a trader or a case (staff accounts, the audit
 * chain, lists, keys, the CRM's sign-in): nothing of their data is exported should one ever
 * carry a trader's or a case's id.
 */
const NOT_ABOUT_A_TRADER = [
  "audit.chain_verified",
  "audit.head_signed",
  "bench.floor",
  "dashboard.exported",
  "delivery.replayed",
  "delivery.replayed_dead",
  "keys.rotated",
  "screening.list_removed",
  "sso.crm_api_token.issued",
  "sso.crm_password.attempt",
  "staff.created",
  "staff.disabled",
  "staff.enabled",
  "staff.login",
  "staff.login_failed",
  "staff.logout",
  "staff.mfa_enrol_failed",
  "staff.mfa_enrolled",
  "staff.mfa_failed",
  "staff.mfa_recovery_used",
  "staff.mfa_throttled",
  "staff.mfa_reset",
  "staff.password_change_failed",
  "staff.password_changed",
  "staff.password_reset",
  "staff.role_changed",
  "staff.session_ended",
] as const;

/** Per audit action, the data keys the export shows; `[]`: none (all withheld). */
export const AUDIT_DATA_EXPORTED: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(NOT_ABOUT_A_TRADER.map((action) => [action, []])),
  // `filter.actor` may name a staff member.
  "audit.exported": ["rows", "truncated"],
  // `from` is the staff member the case was taken from.
  "case.taken_over": [],
  "case.claimed": ["bulk", "next"],
  // `assignee` is a staff member.
  "case.assigned": ["bulk"],
  // `signers` are staff ids.
  "case.approved": [],
  "case.approval_signed": [],
  "case.rejected": ["reasonCode", "kind", "retryLimitReached"],
  "case.approval_revoked": ["reasonCode"],
  "case.action_requested": ["items"],
  "case.review_resumed": [],
  // `reason` is the officer's own text.
  "case.reopened": [],
  "case.renewal_declined": DECLINE_AUDITED,
  "case.upgrade_declined": DECLINE_AUDITED,
  "case.viewed": ["what"],
  "case.evidence_exported": ["format"],
  "case.approval_kept": APPROVAL_KEPT,
  "case.vendor_verdict_after_decision": ["taskId", "vendor", "outcome"],
  // `reason` is a code here (the relationship ended), not an officer's text.
  "case.periodic_review_closed": ["taskId", "reason"],
  "case.periodic_review_due": ["taskId"],
  // The reviewer's note is kept as the decision's internal note, not here.
  "case.periodic_review_completed": PERIODIC_REVIEW_COMPLETED,
  "case.renewal_due": ["documentExpiresOn"],
  "checks.auto_approval_refused": ["runId", "round", "reason"],
  "checks.completed": ["runId", "score", "level", "route", "round", "outcomes"],
  "checks.failed": ["round", "attempts", "error"],
  "checks.retry_requested": ["round", "rescreen", "outcome", "runIds"],
  "delivery.delivered_after_never_finished": ["eventId", "destination", "attempt", "deadAt"],
  "delivery.failed_after_never_finished": ["eventId", "destination", "attempt", "deadAt"],
  "delivery.renewal_notice_withheld": ["eventId", "destination"],
  "document.refused": ["documentId", "documentType", "side", "reason"],
  // `reason` is a code (a new selfie attempt, a changed document kind).
  "document.retired": [
    "reason",
    "challengeId",
    "from",
    "to",
    "documentType",
    "documentIds",
    "sides",
  ],
  "document.uploaded": ["documentId", "documentType", "side", "status", "sha256"],
  "document.viewed": ["documentId"],
  // `reason` is a code (lib/retention/erasure-data.ts); the hold's reason is the admin's text
  // and is withheld with the hold. What a failed erasure had already deleted is the trader's to
  // know: their files are gone.
  [ERASURE_REQUESTED]: unionKeysOf<ErasureRequestedData>([
    "outcome",
    "reason",
    "runsAt",
    "erased",
    "objectsDeleted",
  ]),
  "retention.legal_hold_set": [],
  "retention.legal_hold_lifted": [],
  "retention.relationship_ended": ["source", "endedAt", "erasableFrom"],
  "retention.purged": TOMBSTONE,
  // `reason` is a code (a later round's draft, a refused upgrade).
  "retention.purge_deferred": [
    "taskId",
    "kind",
    "openedAt",
    "reason",
    "round",
    "touchedAt",
    "refused",
  ],
  "retention.document_deleted": ["documentId", "sha256", "replacedAt", "refused"],
  "retention.outbox_deleted": ["events"],
  "retention.upgrade_rolled_back": [
    ...DECLINE_AUDITED,
    "rule",
    "touchedAt",
    "touchedBefore",
    "deletedDocuments",
  ],
  // `restricted` is for staff: what a copy left out while a review was under way, and why.
  "retention.subject_access_exported": keysOf<SubjectAccessExportedData>(["cases", "files"]),
  "review_task.closed": ["taskId", "kind", "resolution"],
  // `reason` is the officer's text for the verdict; the verdict and the list entry are exported.
  "screening.false_positive": VERDICT,
  "screening.confirmed": VERDICT,
  [RESCREEN_HIT_AUDIT]: keysOf<z.infer<typeof rescreenHitAuditData>>([
    "runId",
    "runIds",
    "hits",
    "lists",
  ]),
  // The console's own trouble reading a stored task: nothing of the trader's record.
  "screening.monitoring_task_unreadable": [],
  // The approver's reason is kept as the decision's internal note, not here.
  "screening.monitoring_task_closed": MONITORING_TASK_CLOSED,
  // `reason` is a code (no personal data to screen).
  "screening.rescreen_unscreened": ["reason", "lists"],
  "session.started": ["mode", "screen", "source", "utm", "documentType", "revokedSessions"],
  "sso.token.authorized": [],
  "vendor.report_viewed": VENDOR,
  "vendor.started": VENDOR,
  "vendor.captured": VENDOR,
  "vendor.verdict": [...VENDOR, "outcome", "replacedCapture", "round"],
  "vendor.verdict_unavailable": [...VENDOR, "verdictKept"],
};

/**
 * Keys of an event's data schema (lib/kyc/case-event-data.ts), checked against it: a key renamed
 * there fails to compile here, and a key added there stays withheld until it is listed.
 */
const schemaKeys = <S extends z.ZodObject>(
  _schema: S,
  keys: readonly (keyof z.output<S> & string)[],
): readonly string[] => keys;

/** Per case event (lib/kyc/case-state.ts), the data keys the export shows. */
export const CASE_EVENT_DATA_EXPORTED: Readonly<Record<string, readonly string[]>> = {
  submit: keysOf<CaseEventData["submit"]>(["steps"]),
  resubmit: keysOf<CaseEventData["resubmit"]>(["steps"]),
  start_review: CHECKS_ROUTED,
  approve: CHECKS_ROUTED,
  reject: schemaKeys(rejectData, [
    "reasonCode",
    "kind",
    "items",
    "retryLimitReached",
    "maxRetryRounds",
  ]),
  // The items asked for, with the reasons the trader is shown (the event's items too).
  request_action: schemaKeys(requestActionData, ["items"]),
  resume_review: [],
  retry: schemaKeys(retryData, ["items", "reasonCode"]),
  // `reason` is the admin's own text.
  reopen: [],
  revoke: schemaKeys(revokeData, ["reasonCode", "kind", "items"]),
  expire: keysOf<CaseEventData["expire"]>(["reasonCode", "documentExpiresOn"]),
  renew: schemaKeys(renewData, ["items", "reasonCode"]),
  upgrade: schemaKeys(upgradeData, ["fromLevel", "toLevel", "via", "items"]),
  decline_upgrade: DECLINED_UPGRADE,
  renewal_due: keysOf<CaseEventData["renewal_due"]>(["documentExpiresOn"]),
  // `reason` is a code (the relationship ended).
  periodic_review_closed: keysOf<CaseEventData["periodic_review_closed"]>(["taskId", "reason"]),
};

/**
 * Per decision (case_decisions.decision), the data keys the export shows. Whatever reason an
 * officer gives for a decision is its internal note (withheld as a column), and who decided is
 * its staff id (withheld too); `data` holds what was decided.
 */
export const DECISION_DATA_EXPORTED = {
  // A signature: no data.
  approve: [],
  // lib/review/decisions.ts: retry, final or a declined upgrade or renewal; whether the retry
  // limit made it final; whether it took an approval back.
  reject: keysOf<z.infer<typeof rejectDecisionData>>(["kind", "retryLimitReached", "revoked"]),
  // The items asked for, with the reasons the trader is shown (the event's data, the same value).
  request_action: schemaKeys(requestActionData, ["items"]),
  // No data; the admin's reason is the internal note.
  reopen: [],
  screening_false_positive: VERDICT,
  screening_confirmed: VERDICT,
  [VENDOR_VERDICT_TASK]: APPROVAL_KEPT,
  [PERIODIC_REVIEW_TASK]: PERIODIC_REVIEW_COMPLETED,
  [MONITORING_TASK]: MONITORING_TASK_CLOSED,
} as const satisfies Record<CaseDecisionKind, readonly string[]>;

/** What the purge leaves of an erased case's task data (lib/db/queries/retention.ts). */
const ERASED_TASK = "erased";

/** Per review task kind (review_tasks.kind), the data keys the export shows. */
export const TASK_DATA_EXPORTED: Readonly<Record<string, readonly string[]>> = {
  // The re-screening runs and the hits they found (list, entry, score).
  [MONITORING_TASK]: [...keysOf<MonitoringTaskData>(["runIds", "hits"]), ERASED_TASK],
  // When the case was last reviewed, at which risk, and what changed since (events, lists, uploads).
  [PERIODIC_REVIEW_TASK]: [
    ...keysOf<PeriodicReviewTaskData>(["lastReviewAt", "riskLevel", "months", "changes"]),
    ERASED_TASK,
  ],
  // The vendor's verdict as it arrived (also exported whole as the case's vendor verdict).
  [VENDOR_VERDICT_TASK]: [
    ...keysOf<LateVerdictTaskData>(["vendor", "reference", "outcome", "considered", "labels"]),
    ERASED_TASK,
  ],
};

/**
 * `data` with every key not in `allowed` withheld (its value replaced by WITHHELD_VALUE, so the
 * reader sees that something is kept and not what); with no list (an action or event not
 * classified) every key is withheld. Data that is not a plain object is withheld whole unless
 * it is null.
 */
function exportedData(allowed: readonly string[] | undefined, data: unknown): unknown {
  if (data === null || data === undefined) return data;
  if (typeof data !== "object" || Array.isArray(data)) return WITHHELD_VALUE;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      allowed?.includes(key) ? value : WITHHELD_VALUE,
    ]),
  );
}

const listed = (lists: Readonly<Record<string, readonly string[]>>, name: string) =>
  Object.hasOwn(lists, name) ? lists[name] : undefined;

/** An audit entry's data as the subject-access export shows it. */
export function exportedAuditData(action: string, data: unknown): unknown {
  return exportedData(listed(AUDIT_DATA_EXPORTED, action), data);
}

/** A case event's data as the subject-access export shows it. */
export function exportedEventData(event: string, data: unknown): unknown {
  return exportedData(listed(CASE_EVENT_DATA_EXPORTED, event), data);
}

/** A decision's data as the subject-access export shows it. */
export function exportedDecisionData(decision: string, data: unknown): unknown {
  return exportedData(listed(DECISION_DATA_EXPORTED, decision), data);
}

/** A review task's data as the subject-access export shows it. */
export function exportedTaskData(kind: string, data: unknown): unknown {
  return exportedData(listed(TASK_DATA_EXPORTED, kind), data);
}

/**
 * Other traders named in a duplicate finding: the trader, case and document ids of whoever else
 * holds the same document number or picture are another person's data (GDPR Art. 15(4)),
 * withheld like staff ids. The finding itself (the same number or picture is on record elsewhere,
 * and how often) is a fact of the person's own record and is exported. Evidence of a duplicate
 * check that does not read is withheld whole: it may name others in a shape not known here.
 */
export function exportedEvidence(check: string, evidence: unknown): unknown {
  if (check === "duplicate_document_number") {
    const found = CHECK_EVIDENCE.duplicate_document_number.safeParse(evidence);
    if (!found.success) return WITHHELD_VALUE;
    return {
      ...found.data,
      otherTraders: found.data.otherTraders.map(() => WITHHELD_VALUE),
      otherCases: found.data.otherCases.map(() => WITHHELD_VALUE),
    };
  }
  if (check === "duplicate_image") {
    const found = CHECK_EVIDENCE.duplicate_image.safeParse(evidence);
    if (!found.success) return WITHHELD_VALUE;
    return {
      reused: found.data.reused.map((d) => ({ ...d, usedBy: d.usedBy.map(withheldLookalike) })),
    };
  }
  return evidence;
}

/** A document's analysis, with the look-alikes of other traders withheld as in the evidence. */
export function exportedQuality(quality: unknown): unknown {
  if (typeof quality !== "object" || quality === null || !("usedByOtherTraders" in quality))
    return quality;
  const lookalikes = lookalikeSchema.array().safeParse(quality.usedByOtherTraders);
  return {
    ...quality,
    usedByOtherTraders: lookalikes.success
      ? lookalikes.data.map(withheldLookalike)
      : WITHHELD_VALUE,
  };
}

const withheldLookalike = (l: Lookalike) => ({
  ...l,
  documentId: WITHHELD_VALUE,
  caseId: WITHHELD_VALUE,
});
