/**
 * The evidence export a supervisor asks for: one document per case with everything a decision
 * rested on — what the trader sent in every round (decrypted), every check run with its evidence,
 * the screening hits and each verdict on them (who, when, why), every decision with its signers,
 * the documents as stored (SHA-256, size), the timeline, what the broker's systems were told, and
 * the case's audit rows with their chain hashes plus the chain head at export time, so the export
 * can be checked against the live chain later (`npm run audit:verify`).
 *
 * The shape is a zod schema (`caseEvidenceSchema`): the export is parsed before it is sent, the
 * JSON Schema in docs/case-evidence.schema.json is generated from it (`npm run docs:schemas`).
 * Only approvers and admins export. The export is audited once it is built and before anything
 * is sent: an export that fails to build (a round's answers that do not read, a store that does
 * not answer) leaves no `case.evidence_exported` row claiming something went out.
 */
import { RESCREEN_HIT_AUDIT, rescreenHitAuditData } from "@/lib/checks/monitoring-task";
import { z } from "zod";
import {
  appendAuditEventReturning,
  getAuditChainHead,
  listCaseAuditEvents,
} from "@/lib/db/queries/audit";
import { listCaseEvents } from "@/lib/db/queries/cases";
import { getCaseRisk, listCheckRunsWithResults } from "@/lib/db/queries/checks";
import { listAllCaseDocuments } from "@/lib/db/queries/documents";
import { listCaseSubmissions } from "@/lib/db/queries/drafts";
import { listDeliveryLogForCase, listOutboxEventsForCase } from "@/lib/db/queries/outbox";
import {
  getCaseById,
  listApprovalSigners,
  listCaseDecisions,
  listReviewTasks,
} from "@/lib/db/queries/review";
import { listStaffByIds } from "@/lib/db/queries/staff";
import { getTraderById } from "@/lib/db/queries/traders";
import { readCheckEvidence, storedHitSchema } from "@/lib/checks/evidence";
import { CHECKS_ACTOR } from "@/lib/checks/run";
import { caseStatus, caseTrigger, type AuditEvent } from "@/lib/db/schema";
import { latestApprovalOf } from "@/lib/kyc/case-state";
import { AppError } from "@/lib/errors";
import { submittedAnswersSchema } from "@/lib/kyc/answers";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { log } from "@/lib/log";
import { caseCipher } from "@/lib/security/case-keys";
import { hasRole } from "@/lib/staff/auth";
import { APPROVED_AUDIT, approvalAuditData } from "./approval-record";
import { riskFromEarlierRound } from "./risk";
import { loadCaseHits } from "./screening-hits";
import type { Reviewer } from "./types";

/**
 * The export's version, as the webhook payloads' (docs/console.md, "Evidence export"): it changes
 * when a field is removed, renamed or retyped, a meaning changes, or a field every export carries
 * is added, since the published schema is strict and a v2 reader validating with it refuses one.
 * v3: `case.riskFloor`, `riskRunId`, `riskFromEarlierRound`, `rescreenHitAt`, `approval.round`
 * and the timeline's `by`.
 */
export const EVIDENCE_FORMAT = "inapp-kyc.case-evidence.v3";

const iso = z.iso.datetime({ offset: true });
const json = z.unknown();
const staffRef = z
  .strictObject({ id: z.uuid(), name: z.string().nullable(), role: z.string().nullable() })
  .describe("A staff member, named as the console knows them.");

export const caseEvidenceSchema = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  exportedAt: iso,
  exportedBy: staffRef,
  case: z.strictObject({
    id: z.uuid(),
    level: z.string(),
    status: z.enum(caseStatus.enumValues),
    trigger: z.enum(caseTrigger.enumValues),
    round: z.number().int().describe("Submission rounds so far."),
    riskLevel: z.string().nullable(),
    riskFloor: z
      .string()
      .nullable()
      .describe("The least risk a periodic review set: the checks do not lower it."),
    riskRunId: z
      .uuid()
      .nullable()
      .describe(
        "The check run the risk rests on (one of checkRuns): after a declined upgrade or renewal it may be the approved round's, not the latest; after a re-screening raised the risk to high, the re-screening run that found the hit. Null: never assessed.",
      ),
    riskFromEarlierRound: z
      .boolean()
      .describe(
        "The round waiting for a person has not been checked yet: riskLevel is the previous round's assessment, as the console marks it.",
      ),
    escalated: z
      .boolean()
      .describe(
        "A likely screening hit escalated the case: its checks found one, one found earlier was still uncleared, or a re-screening found one. Kept until the next submission run sets the risk afresh, also after people cleared the hit.",
      ),
    rescreenHitAt: iso
      .nullable()
      .describe(
        "When a re-screening last found a new likely match and raised the risk to high (null: never). Four-eyes signatures before it do not count.",
      ),
    fourEyesRequired: z.boolean(),
    openedAt: iso,
    closedAt: iso.nullable(),
  }),
  trader: z.strictObject({
    id: z.uuid(),
    ctraderUserId: z.number().int(),
    tradingLogin: z.number().int().nullable(),
    email: z.string().nullable(),
  }),
  rounds: z
    .array(
      z.strictObject({
        round: z.number().int(),
        event: z.string().describe("submit or resubmit"),
        submittedAt: iso,
        answers: z
          .record(z.string(), z.strictObject({ data: json, values: json }))
          .describe("Every step as sent in this round: checked data and the values as typed."),
        documentIds: z.array(z.uuid()).describe("The documents current at this submit."),
      }),
    )
    .describe("What the trader sent in each submission round, oldest first."),
  currentAnswers: z.record(
    z.string(),
    z.strictObject({ completed: z.boolean(), data: json, values: json, updatedAt: iso }),
  ),
  checkRuns: z.array(
    z.strictObject({
      id: z.uuid(),
      reason: z.enum(["submission", "rescreen"]),
      round: z.number().int().nullable(),
      at: iso,
      score: z.number().int(),
      riskLevel: z.string(),
      route: z.string(),
      listVersions: z.record(z.string(), z.string()),
      results: z.array(
        z.strictObject({
          check: z.string(),
          outcome: z.enum(["pass", "warn", "fail"]),
          riskPoints: z.number().int(),
          evidence: json.describe("The check's evidence, as lib/checks/evidence.ts defines it."),
          evidenceRecognised: z.boolean(),
        }),
      ),
    }),
  ),
  screeningHits: z.array(
    z.strictObject({
      // The hit as its run stored it (one schema: lib/checks/evidence.ts), with how it was judged.
      ...storedHitSchema.shape,
      key: z.string(),
      state: z.enum(["open", "awaiting_second", "cleared", "confirmed"]),
      origin: z.enum(["submission", "rescreen"]),
      round: z.number().int().nullable().describe("the submission round of the run that found it"),
      judgments: z.array(
        z.strictObject({
          by: staffRef,
          role: z
            .string()
            .nullable()
            .describe(
              "The role the verdict was given in (`by.role` is the person's role now); null for verdicts from before roles were recorded.",
            ),
          verdict: z.enum(["false_positive", "confirmed"]),
          reason: z.string().nullable(),
          at: iso,
        }),
      ),
    }),
  ),
  decisions: z.array(
    z.strictObject({
      id: z.number().int(),
      decision: z.string(),
      by: staffRef,
      reasonCode: z.string().nullable(),
      messageForTrader: z.string().nullable(),
      internalNote: z.string().nullable(),
      data: json,
      at: iso,
    }),
  ),
  approval: z
    .strictObject({
      at: iso,
      round: z
        .number()
        .int()
        .describe(
          "The submission round the latest approval decided: check runs of later rounds are of a round still open or declined (or of one sent after the approval was withdrawn).",
        ),
      automatic: z
        .boolean()
        .describe(
          "Approved by the automated checks (AUTO_APPROVE), not by a person: nobody signed it.",
        ),
      signers: z
        .array(staffRef)
        .describe(
          "Everyone whose signature the approval counted, as recorded when it committed (derived by today's four-eyes rule for approvals from before it was recorded); none for an automatic approval.",
        ),
    })
    .nullable(),
  documents: z.array(
    z.strictObject({
      id: z.uuid(),
      documentType: z.string(),
      side: z.string(),
      identityKind: z
        .string()
        .nullable()
        .describe(
          "The kind of identity document picked when it was uploaded (passport, id_card, driving_licence); null: none chosen yet, or not an identity document.",
        ),
      status: z.string(),
      contentType: z.string().nullable(),
      sizeBytes: z.number().int().nullable(),
      sha256: z.string().nullable(),
      phash: z.string().nullable(),
      quality: json,
      confirmedAt: iso.nullable(),
      replacedAt: iso.nullable().describe("Set when a later upload of the same side replaced it."),
      superseded: z
        .boolean()
        .describe(
          "Arrived after what it was uploaded for had changed (another kind of identity document, a newer selfie attempt): kept as evidence, never the case's document.",
        ),
    }),
  ),
  timeline: z.array(
    z.strictObject({
      event: z.string(),
      from: z.string(),
      to: z.string(),
      actorType: z.string(),
      actorId: z.string(),
      by: staffRef
        .nullable()
        .describe(
          "The person on staff who made the change, named; null: the trader or the system.",
        ),
      messageForTrader: z.string().nullable(),
      data: json,
      at: iso,
    }),
  ),
  reviewTasks: z.array(
    z.strictObject({
      id: z.uuid(),
      kind: z.string(),
      openedAt: iso,
      closedAt: iso.nullable(),
      resolution: z.string().nullable(),
      data: json,
    }),
  ),
  notifications: z
    .array(
      z.strictObject({
        eventId: z.uuid(),
        type: z.string(),
        at: iso,
        payload: json,
        deliveries: z.array(
          z.strictObject({
            destination: z.string(),
            status: z.string(),
            attempts: z.number().int(),
            deliveredAt: iso.nullable(),
          }),
        ),
      }),
    )
    .describe("What the CRM, cTrader and the trader's email were told, and whether it arrived."),
  audit: z.strictObject({
    rows: z.array(
      z.strictObject({
        seq: z.number().int().nullable(),
        at: iso,
        actorType: z.string(),
        actorId: z.string(),
        action: z.string(),
        data: json,
        prevHash: z.string().nullable(),
        hash: z.string().nullable(),
      }),
    ),
    chainHead: z
      .strictObject({ seq: z.number().int(), hash: z.string() })
      .nullable()
      .describe("The newest row of the whole audit chain when this export was made."),
  }),
});
export type CaseEvidence = z.infer<typeof caseEvidenceSchema>;

const at = (d: Date) => d.toISOString();
// The stored hit's own fields of a hit as the console judges it, the rest left out.
const storedHit = z.object(storedHitSchema.shape);
const atOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Builds the export, then records it in the audit trail; approver and admin only. The export's
 * own audit row is added to its rows and is its chain head, so the copy shows it was recorded.
 */
export async function exportCaseEvidence(
  staff: Reviewer,
  caseId: string,
  format: "json" | "html",
  now = new Date(),
): Promise<CaseEvidence> {
  if (!hasRole(staff, "approver"))
    throw new AppError("FORBIDDEN", "exports need the approver or admin role", {
      reason: "needs_approver",
    });
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case", { reason: "not_found" });
  const evidence = await caseEvidence(staff, kycCase.id, now);
  const own = await appendAuditEventReturning({
    actorType: "staff",
    actorId: staff.id,
    action: "case.evidence_exported",
    caseId,
    data: { format },
    occurredAt: now,
  });
  return caseEvidenceSchema.parse({
    ...evidence,
    audit: {
      rows: [...evidence.audit.rows, auditRow(own)],
      chainHead:
        own.seq != null && own.hash ? { seq: own.seq, hash: own.hash } : evidence.audit.chainHead,
    },
  } satisfies CaseEvidence);
}

/**
 * Whose signatures the approval at `at` counted: as it recorded them (its `case.approved` entry,
 * written at its time), or, for an approval from before they were recorded, by the four-eyes rule
 * of today as of its time. An automatic approval (AUTO_APPROVE) counted none: its record says so,
 * or, from before it did, its timeline event was the checks'. A record that does not read refuses
 * the export: the pack never names signers it cannot vouch for.
 */
async function approvalSigners(
  caseId: string,
  approved: { occurredAt: Date; actorType: string; actorId: string },
  auditRows: AuditEvent[],
): Promise<{ automatic: boolean; signers: string[] }> {
  const approvedAt = approved.occurredAt;
  const entry = auditRows.findLast(
    (a) => a.action === APPROVED_AUDIT && a.occurredAt.getTime() === approvedAt.getTime(),
  );
  if (entry) {
    const read = approvalAuditData.safeParse(entry.data);
    if (!read.success) {
      log.error("approval_record.unreadable", { caseId, reader: "evidence" });
      throw new AppError("INTERNAL", `case ${caseId}: the approval's record does not read`);
    }
    if ("automatic" in read.data) return { automatic: true, signers: [] };
    if (read.data.signers) return { automatic: false, signers: read.data.signers };
  }
  if (approved.actorType === CHECKS_ACTOR.type && approved.actorId === CHECKS_ACTOR.id)
    return { automatic: true, signers: [] };
  const derived = await listApprovalSigners(caseId, approvedAt);
  return { automatic: false, signers: [...new Set(derived.map((d) => d.staffId))] };
}

/**
 * The run the case's risk rests on: case_risk's run, unless a re-screening raised the risk to high
 * after it (case_risk keeps its run then), when it is the run that re-screening recorded the hit
 * with (its audit entry's `runId`, at the moment case_risk has).
 */
function riskRunOf(
  risk: { runId: string; rescreenHitAt: Date | null } | undefined,
  runs: readonly { run: { id: string; createdAt: Date } }[],
  auditRows: readonly AuditEvent[],
): string | null {
  if (!risk) return null;
  const { rescreenHitAt } = risk;
  const pointed = runs.find(({ run }) => run.id === risk.runId)?.run;
  if (!rescreenHitAt || !pointed || rescreenHitAt <= pointed.createdAt) return risk.runId;
  const hit = auditRows.findLast(
    (a) => a.action === RESCREEN_HIT_AUDIT && a.occurredAt.getTime() === rescreenHitAt.getTime(),
  );
  return rescreenHitAuditData.safeParse(hit?.data).data?.runId ?? risk.runId;
}

const auditRow = (a: AuditEvent): CaseEvidence["audit"]["rows"][number] => ({
  seq: a.seq,
  at: at(a.occurredAt),
  actorType: a.actorType,
  actorId: a.actorId,
  action: a.action,
  data: a.data,
  prevHash: a.prevHash,
  hash: a.hash,
});

async function caseEvidence(staff: Reviewer, caseId: string, now: Date): Promise<CaseEvidence> {
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case", { reason: "not_found" });
  const [
    trader,
    submissions,
    drafts,
    runs,
    hits,
    decisions,
    documents,
    events,
    tasks,
    outbox,
    deliveries,
    auditRows,
    chainHead,
    risk,
  ] = await Promise.all([
    getTraderById(kycCase.traderId),
    listCaseSubmissions(caseId),
    loadStepDrafts(caseId),
    listCheckRunsWithResults(caseId),
    loadCaseHits(kycCase),
    listCaseDecisions(caseId),
    listAllCaseDocuments(caseId),
    listCaseEvents(caseId),
    listReviewTasks(caseId),
    listOutboxEventsForCase(caseId),
    listDeliveryLogForCase(caseId),
    listCaseAuditEvents(caseId),
    getAuditChainHead(),
    getCaseRisk(caseId),
  ]);
  if (!trader) throw new AppError("INTERNAL", "case without trader");
  const staffIds = new Set([
    staff.id,
    ...decisions.map((d) => d.staffId),
    ...hits.flatMap((h) => h.judgments.map((j) => j.staffId)),
    ...events.flatMap((e) => (e.actorType === "staff" ? [e.actorId] : [])),
  ]);
  const people = new Map((await listStaffByIds([...staffIds])).map((p) => [p.id, p]));
  const cipher = await caseCipher(caseId);
  const ref = (id: string) => ({
    id,
    name: people.get(id)?.displayName ?? null,
    role: people.get(id)?.role ?? null,
  });
  // The approval decision itself: not a notice recorded on the approved case (the renewal's,
  // a periodic review closed), nor an upgrade declined back to the approval it left in force.
  const approved = latestApprovalOf([...events].sort((a, b) => a.id - b.id));
  const approval = approved
    ? { ...approved, ...(await approvalSigners(caseId, approved.event, auditRows)) }
    : null;

  return caseEvidenceSchema.parse({
    format: EVIDENCE_FORMAT,
    exportedAt: at(now),
    exportedBy: ref(staff.id),
    case: {
      id: kycCase.id,
      level: kycCase.level,
      status: kycCase.status,
      trigger: kycCase.trigger,
      round: kycCase.round,
      riskLevel: kycCase.riskLevel,
      riskFloor: kycCase.riskFloor,
      riskRunId: riskRunOf(risk, runs, auditRows),
      riskFromEarlierRound: riskFromEarlierRound(
        kycCase,
        runs.some(({ run }) => run.reason === "submission" && run.round === kycCase.round),
        risk?.rescreenHitAt ?? null,
      ),
      escalated: risk?.escalated ?? false,
      rescreenHitAt: atOrNull(risk?.rescreenHitAt ?? null),
      fourEyesRequired: kycCase.fourEyesRequired,
      openedAt: at(kycCase.openedAt),
      closedAt: atOrNull(kycCase.closedAt),
    },
    trader: {
      id: trader.id,
      ctraderUserId: trader.ctraderUserId,
      tradingLogin: trader.tradingLogin,
      email: trader.email,
    },
    rounds: submissions.map((s) => {
      // An evidence pack never goes out without a round's answers: one that does not read
      // refuses the export, naming the round (a draft that does not read refuses it in
      // loadStepDrafts the same way).
      const answers = cipher.decryptJson(s.payload, submittedAnswersSchema);
      if (!answers.success) {
        log.error("case_submission.unreadable", { caseId, round: s.round, reader: "evidence" });
        throw new AppError(
          "INTERNAL",
          `case ${caseId}: the answers of round ${s.round} do not read; no export without them`,
        );
      }
      return {
        round: s.round,
        event: s.event,
        submittedAt: at(s.submittedAt),
        answers: answers.data,
        documentIds: s.documentIds,
      };
    }),
    currentAnswers: Object.fromEntries(
      Object.entries(drafts).map(([step, d]) => [
        step,
        {
          completed: d.completed,
          data: d.data ?? null,
          values: d.values,
          updatedAt: at(d.updatedAt),
        },
      ]),
    ),
    checkRuns: runs.map(({ run, results }) => ({
      id: run.id,
      reason: run.reason,
      round: run.round,
      at: at(run.createdAt),
      score: run.score,
      riskLevel: run.level,
      route: run.route,
      listVersions: run.listVersions,
      results: results.map((r) => ({
        check: r.check,
        outcome: r.outcome,
        riskPoints: r.riskPoints,
        evidence: r.evidence,
        evidenceRecognised: readCheckEvidence(r.check, r.evidence).ok,
      })),
    })),
    screeningHits: hits.map((h) => ({
      ...storedHit.parse(h),
      key: h.key,
      state: h.state,
      origin: h.origin,
      round: h.round,
      judgments: h.judgments.map((j) => ({
        by: ref(j.staffId),
        role: j.role ?? null,
        verdict: j.verdict,
        reason: j.reason,
        at: at(j.at),
      })),
    })),
    decisions: decisions.map((d) => ({
      id: d.id,
      decision: d.decision,
      by: ref(d.staffId),
      reasonCode: d.reasonCode,
      messageForTrader: d.messageForTrader,
      internalNote: d.internalNote,
      data: d.data,
      at: at(d.createdAt),
    })),
    approval: approval
      ? {
          at: at(approval.event.occurredAt),
          round: approval.round,
          automatic: approval.automatic,
          signers: approval.signers.map(ref),
        }
      : null,
    documents: documents
      .filter((d) => d.status !== "pending")
      .map((d) => ({
        id: d.id,
        documentType: d.documentType,
        side: d.side,
        identityKind: d.identityKind,
        status: d.status,
        contentType: d.contentType,
        sizeBytes: d.sizeBytes,
        sha256: d.sha256,
        phash: d.phash,
        quality: d.quality,
        confirmedAt: atOrNull(d.confirmedAt),
        replacedAt: atOrNull(d.replacedAt),
        superseded: d.superseded,
      })),
    timeline: events.map((e) => ({
      event: e.event,
      from: e.fromStatus,
      to: e.toStatus,
      actorType: e.actorType,
      actorId: e.actorId,
      by: e.actorType === "staff" ? ref(e.actorId) : null,
      messageForTrader: e.messageForTrader,
      data: e.data,
      at: at(e.occurredAt),
    })),
    reviewTasks: tasks.map((t) => ({
      id: t.id,
      kind: t.kind,
      openedAt: at(t.openedAt),
      closedAt: atOrNull(t.closedAt),
      resolution: t.resolution,
      data: t.data,
    })),
    notifications: outbox.map((o) => ({
      eventId: o.id,
      type: o.type,
      at: at(o.createdAt),
      payload: o.payload,
      deliveries: deliveries
        .filter((d) => d.eventId === o.id)
        .map((d) => ({
          destination: d.destination,
          status: d.status,
          attempts: d.totalAttempts,
          deliveredAt: atOrNull(d.deliveredAt),
        })),
    })),
    audit: {
      rows: auditRows.map(auditRow),
      chainHead,
    },
  });
}

export const EVIDENCE_SCHEMA_PATH = "docs/case-evidence.schema.json";

/** The export's JSON Schema (draft 2020-12) as published in docs/, derived from the zod schema. */
export function caseEvidenceJsonSchemaText(): string {
  const schema = z.toJSONSchema(caseEvidenceSchema, { target: "draft-2020-12", io: "output" });
  const published = {
    $schema: schema.$schema,
    title: "In-App KYC case evidence export",
    description:
      "GET /admin/cases/{id}/export (approver or admin): everything one case's decisions rested " +
      "on. Check the audit rows against the live chain with npm run audit:verify.",
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema")),
  };
  return `${JSON.stringify(published, null, 2)}\n`;
}
