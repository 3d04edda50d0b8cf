/**
 * The retention purge (run by the worker's housekeeping and the cron route, with an injected
 * clock): applies the policy of lib/retention/policy.ts.
 *
 * - A draft case never submitted and untouched for RETENTION_DRAFT_DAYS (or its trigger's period,
 *   RETENTION_DRAFT_DAYS_BY), and every case of a
 *   trader RETENTION_CASE_YEARS (or its outcome's and trigger's period, RETENTION_CASE_YEARS_BY)
 *   after their relationship ended (decided or not: an open case is closed by the purge, its
 *   tombstone keeping its last decision as the outcome and the status it had), are erased whole,
 *   in one transaction under the case's row lock: stored objects deleted, drafts and document rows
 *   deleted, answers, check evidence, staff messages and notes redacted, the case key destroyed
 *   (so backup copies of the rows stay ciphertext), a tombstone kept and a `retention.purged`
 *   audit event written. The audit trail itself is never touched: `npm run audit:verify` passes
 *   after a purge.
 * - Documents replaced by a newer upload before any submission used them go
 *   RETENTION_SUPERSEDED_DAYS (or RETENTION_SUPERSEDED_DAYS_BY's) after the case's last decision
 *   (an expired approval's too, not those of a round still open); one a submission used is that
 *   round's evidence (the evidence export lists it) and stays until the case itself goes.
 * - A refused upload: the check deleted its file and row at the refusal (only the refusal's audit
 *   event stays, which the case's file limit counts). Once the upload's signed form has expired
 *   too, its key is emptied again, whatever a replay of the form put there or a failed delete
 *   left (`retention.document_deleted` with the refusal's reason).
 * - Outbox events of an erased case that a destination still had pending at the erasure go once
 *   settled (`retention.outbox_deleted`).
 * - A case on legal hold is skipped by every rule, checked again under the case's row lock.
 * - So is a case with an open hold task (a monitoring hit, a late vendor verdict): the AML duty to
 *   decide it (and perhaps report a suspicion) outlives the relationship. The erasure waits for
 *   the task to close; each such wait is audited once (`retention.purge_deferred`).
 * - An upgrade the trader left as a draft past the draft period (its trigger's) lapses: the
 *   system declines it exactly as a reviewer would (lib/review/decisions.ts declineUpgrade: back
 *   to approved at the approved level, the approved round's answers and documents put back, the
 *   CRM and cTrader told `decline_upgrade`), and the files uploaded for it, never sent, are
 *   deleted with their objects. Audited as `retention.upgrade_rolled_back` with the rule and its
 *   dates. Not while on legal hold, with an open hold task, or under an ended relationship. A
 *   decline refused for good (a screening hit confirmed as a match; the approved round's answers
 *   unreadable, so nothing of the approval could be put back) is audited once per case and
 *   round (`retention.purge_deferred`, reason `upgrade_refused`) and not tried again at that
 *   round; any other failure (a storage outage) is logged and tried again next run, the purge
 *   going on with the other cases meanwhile.
 * - Any other later round (an early renewal, a retry, an upgrade the purge may not roll back)
 *   left as a draft past the draft period is not an abandoned draft: the case is kept whole by
 *   its own rule, and the keep is audited once per case and round (`retention.purge_deferred`,
 *   reason `later_round_draft`).
 * - A case is erased only as it stands under its row lock: the rule it was listed by is checked
 *   again there with the listing's own predicate (a trader who came back to a draft keeps it; a
 *   relationship end recorded anew moves the clock), and a case with a document whose form may
 *   still land a file (expired less than ABANDONED_UPLOAD_GRACE_MS ago) is put off to a later run:
 *   a file arriving after the erasure would be bytes no row names, in clear, that no sweep finds.
 * Objects are deleted inside the transaction, before it commits, those of exactly the document
 * rows it deletes (read under the lock: an upload confirmed since the listing goes too): a crash
 * leaves rows whose objects are gone, on a case that was due (the next run finishes the job),
 * never objects nobody knows of. `npm run
 * documents:seal` rewrites an object under a lock the purge waits for (whileDocumentKept), so it
 * cannot put a file back after the purge deleted it.
 */
import "server-only";
import { createHash } from "node:crypto";
import { env } from "@/lib/env";
import {
  deleteSettledOutboxOfPurged,
  deleteSupersededDocument,
  listAbandonedDraftCases,
  listCasesPastRelationshipEnd,
  lapsedUpgradeStillDue,
  listLapsedUpgrades,
  listLaterRoundDraftsKept,
  deleteUnsentUpgradeUploads,
  listPurgesWaitingOnTasks,
  listRefusedUploadsToDelete,
  listSupersededDocuments,
  purgeCaseRows,
  type PurgeDue,
} from "@/lib/db/queries/retention";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { getCaseById } from "@/lib/db/queries/cases";
import { AppError, errorFacts, isAppError } from "@/lib/errors";
import { UPGRADE_LAPSED } from "@/lib/kyc/upgrade";
import { declineUpgrade } from "@/lib/review/decisions";
import { ABANDONED_UPLOAD_GRACE_MS } from "@/lib/documents/service";
import { log } from "@/lib/log";
import { documentKey, storage } from "@/lib/storage";
import type { z } from "zod";
import {
  DOCUMENT_DELETED,
  documentRefusedSchema,
  refusedDocumentId,
  LAPSED_UPGRADE_RULE,
  LATER_ROUND_DRAFT,
  OUTBOX_DELETED,
  PURGE_DEFERRED,
  UPGRADE_ROLLED_BACK,
  type documentDeletedSchema,
  upgradeRolledBackSchema,
  type outboxDeletedSchema,
  purgeDeferredSchema,
  UPGRADE_REFUSED,
  type UpgradeRefusal,
} from "./deletions";
import { cutoffs, retentionOutcome } from "./policy";
import { tombstoneSchema, type Tombstone } from "./tombstone";

const BATCH = 50;

/** Past a form's expiry: the bucket's clock may run a little behind ours. */
const FORM_CLOCK_SKEW_MS = 60_000;

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

/**
 * How long after a document's form expired a file may still land under its key (an S3 upload
 * that started in time): the purge waits that long after the last form of a case it erases.
 */
export const UPLOADS_LAND_WITHIN_MS = ABANDONED_UPLOAD_GRACE_MS;

/**
 * A case's erasure stopped by a storage failure after it had deleted `objectsDeleted` stored
 * objects: its rows rolled back (the case is still due, and the next erasure finishes), but those
 * objects are gone, so the erasure was partly carried out, not refused or undone.
 */
export class ErasureInterrupted extends Error {
  constructor(
    readonly objectsDeleted: number,
    cause: unknown,
  ) {
    super("the erasure stopped after deleting some of the case's stored objects", { cause });
    this.name = "ErasureInterrupted";
  }
}

/**
 * Erases one case (see above); false when it was on hold, already purged, unknown, no longer due
 * by its rule (`due`, checked again under the case's row lock), or while a file may still land
 * under one of its upload keys (tried again on a later run).
 */
export async function purgeCase(
  caseId: string,
  due: PurgeDue,
  now: Date,
  actor: { type: "system" | "staff"; id: string } = { type: "system", id: "retention" },
): Promise<boolean> {
  return purgeCaseRows({
    caseId,
    due,
    now,
    formsExpiredBefore: new Date(now.getTime() - UPLOADS_LAND_WITHIN_MS),
    erasure: (found) => {
      const { kycCase } = found;
      const tombstone: Tombstone = tombstoneSchema.parse({
        caseId,
        traderId: kycCase.traderId,
        level: kycCase.level,
        outcome: retentionOutcome({ status: kycCase.status, lastDecision: found.lastDecision }),
        statusAtErasure: kycCase.status,
        rule: due.rule,
        openedAt: kycCase.openedAt.toISOString(),
        decidedAt: found.decidedAt?.toISOString() ?? null,
        relationshipEndedAt: found.relationshipEndedAt?.toISOString() ?? null,
        purgedAt: now.toISOString(),
        submissions: found.submissions.map((s) => ({ round: s.round, sha256: sha256(s.payload) })),
        documents: found.documents.map((d) => ({ id: d.id, sha256: d.sha256 })),
      });
      return {
        tombstone,
        audit: {
          actorType: actor.type,
          actorId: actor.id,
          action: "retention.purged",
          caseId,
          traderId: kycCase.traderId,
          data: tombstone,
          occurredAt: now,
        },
      };
    },
    // The rows deleted under the lock, so an upload confirmed since the listing goes too. Both
    // keys of each document: the verified (sealed) file, and the upload key, where a replay of
    // the browser's signed form after the confirm may have left a file in clear.
    deleteObjects: async (deleted) => {
      // purgeCaseRows erases only once every form of the case expired UPLOADS_LAND_WITHIN_MS
      // ago: no upload key needs guarding against a replay, so nothing of the case stays behind.
      const gone = { formExpired: true };
      let objectsDeleted = 0;
      try {
        for (const document of deleted) {
          await storage().delete(document.storageKey, gone);
          objectsDeleted++;
          await storage().delete(documentKey(caseId, document.id), gone);
          objectsDeleted++;
        }
      } catch (error) {
        // The rows roll back, but the objects deleted so far are gone: the caller records that.
        throw new ErasureInterrupted(objectsDeleted, error);
      }
    },
  });
}

/** Refuses the rollback under the row lock: the trader came back, or a hold arrived meanwhile. */
const notLapsedAnyMore = () =>
  new AppError("CONFLICT", "the upgrade is no longer lapsed", { reason: "not_open" });

/** The purge's own refusal, under the row lock, of a rollback it must not do. */
class RollbackRefused extends Error {
  constructor(readonly refused: UpgradeRefusal) {
    super(`the lapsed upgrade's rollback is refused: ${refused}`);
  }
}

/** A refusal that no later run would change: the purge records it once and stops trying. */
function refusalOf(error: unknown): UpgradeRefusal | null {
  if (error instanceof RollbackRefused) return error.refused;
  if (isAppError(error)) return error.reason === "confirmed_match" ? "confirmed_match" : null;
  // The approval guard (drizzle/0022): a match confirmed after the decline's own check.
  return errorFacts(error).errorCode === "23514" ? "approval_guard" : null;
}

type Lapsed = Awaited<ReturnType<typeof listLapsedUpgrades>>[number];

/**
 * Rolls back one lapsed upgrade (listLapsedUpgrades). `kept` when it no longer qualifies under
 * the lock; `refused` when the decline was refused for good (a screening hit confirmed as a match:
 * the approval itself is in doubt and an approver must withdraw it), which is audited once and not
 * tried again at this round (so is one whose approved round's inputs cannot be read: the
 * rollback would restore nothing and delete what are still the case's current documents);
 * `failed` on anything else (a storage outage, say), logged and tried again next run, so that
 * one case never stops the purge's other work.
 */
async function rollBackLapsedUpgrade(
  lapsed: Lapsed,
  now: Date,
): Promise<"rolled_back" | "kept" | "refused" | "failed"> {
  try {
    const kycCase = await getCaseById(lapsed.caseId);
    if (!kycCase) return "kept";
    await declineUpgrade(
      kycCase,
      UPGRADE_LAPSED,
      {
        type: "system",
        id: "retention",
        guard: async (tx, before, approvedRound) => {
          const stillLapsed =
            before.status === "draft" &&
            before.approvedLevel !== null &&
            before.level !== before.approvedLevel &&
            before.updatedAt <= lapsed.touchedBefore &&
            (await lapsedUpgradeStillDue(tx, lapsed.caseId, lapsed.touchedBefore, now));
          if (!stillLapsed) throw notLapsedAnyMore();
          // Fail closed: with nothing of the approval to put back, the upgrade's uploads would
          // be deleted while still the case's current documents, and its answers would stay.
          if (approvedRound === null) throw new RollbackRefused("approved_inputs_missing");
        },
        discard: async (tx) => {
          const deleted = await deleteUnsentUpgradeUploads(tx, lapsed.caseId);
          // Inside the transaction, rows deleted and locked: a crash after this rolls the rows
          // back with their objects gone, and the next run rolls the upgrade back again.
          for (const document of deleted) {
            await storage().delete(document.storageKey);
            await storage().delete(documentKey(lapsed.caseId, document.id));
          }
          // Parsed as /admin/retention reads it back (lib/retention/view.ts).
          return upgradeRolledBackSchema.parse({
            rule: LAPSED_UPGRADE_RULE,
            touchedAt: lapsed.touchedAt,
            touchedBefore: lapsed.touchedBefore,
            deletedDocuments: deleted.map(({ id, documentType, sha256 }) => ({
              id,
              documentType,
              sha256,
            })),
          });
        },
        audit: { action: UPGRADE_ROLLED_BACK },
      },
      now,
    );
    return "rolled_back";
  } catch (error) {
    const refused = refusalOf(error);
    if (refused) {
      await appendAuditEvent({
        actorType: "system",
        actorId: "retention",
        action: PURGE_DEFERRED,
        caseId: lapsed.caseId,
        traderId: lapsed.traderId,
        data: purgeDeferredSchema.parse({
          reason: UPGRADE_REFUSED,
          round: lapsed.round,
          refused,
          touchedAt: lapsed.touchedAt,
        }),
        occurredAt: now,
      });
      log.warn("retention.upgrade_refused", { caseId: lapsed.caseId, refused });
      return "refused";
    }
    if (isAppError(error) && error.code === "CONFLICT") {
      log.info("retention.upgrade_kept", { caseId: lapsed.caseId, why: error.message });
      return "kept";
    }
    log.error("retention.upgrade_rollback_failed", {
      caseId: lapsed.caseId,
      ...errorFacts(error),
    });
    return "failed";
  }
}

export type PurgeReport = {
  drafts: number;
  /** Upgrades left as drafts past the draft period, rolled back to the approval in force. */
  upgrades: number;
  cases: number;
  documents: number;
  /** Keys of refused uploads emptied once their form expired. */
  refusedUploads: number;
  /** Outbox events of erased cases that settled after the erasure, deleted now. */
  outboxEvents: number;
  /**
   * Hold tasks, later rounds' drafts and refused rollbacks newly found keeping a case (audited
   * once each).
   */
  deferred: number;
  /** Cases, upgrades and documents whose work failed this run (logged; tried again next run). */
  failed: number;
};

/**
 * One case's or document's work: a failure (a storage outage, a row the database refuses) is
 * logged and left for the next run, so that one item never stops the purge's other work.
 */
async function eachItem(
  report: PurgeReport,
  failure: string,
  ids: { caseId: string; documentId?: string },
  work: () => Promise<boolean>,
): Promise<boolean> {
  try {
    return await work();
  } catch (error) {
    report.failed++;
    log.error(failure, { ...ids, ...errorFacts(error) });
    return false;
  }
}

export async function runRetentionPurge(now = new Date()): Promise<PurgeReport> {
  const at = cutoffs(env().retention, now);
  const report: PurgeReport = {
    drafts: 0,
    upgrades: 0,
    cases: 0,
    documents: 0,
    refusedUploads: 0,
    outboxEvents: 0,
    deferred: 0,
    failed: 0,
  };
  const drafts = { before: at.draftsTouchedBefore, rules: at.draftRules };
  for (const kycCase of await listAbandonedDraftCases(drafts, BATCH)) {
    const erase = () => purgeCase(kycCase.id, { rule: "abandoned_draft", cut: drafts }, now);
    if (await eachItem(report, "retention.purge_failed", { caseId: kycCase.id }, erase))
      report.drafts++;
  }
  const refused = { action: PURGE_DEFERRED, reason: UPGRADE_REFUSED };
  for (const lapsed of await listLapsedUpgrades(drafts, refused, now, BATCH)) {
    const outcome = await rollBackLapsedUpgrade(lapsed, now);
    if (outcome === "rolled_back") report.upgrades++;
    if (outcome === "refused") report.deferred++;
    if (outcome === "failed") report.failed++;
  }
  const pastEnd = { endedBefore: at.relationshipEndedBefore, rules: at.caseRules };
  for (const { kycCase } of await listCasesPastRelationshipEnd(pastEnd, BATCH)) {
    const erase = () => purgeCase(kycCase.id, { rule: "relationship_ended", cut: pastEnd }, now);
    if (await eachItem(report, "retention.purge_failed", { caseId: kycCase.id }, erase))
      report.cases++;
  }
  // After the erasures above: a draft erased with its case is not one the purge kept.
  for (const kept of await listLaterRoundDraftsKept(drafts, PURGE_DEFERRED, BATCH)) {
    const data: z.input<typeof purgeDeferredSchema> = {
      reason: LATER_ROUND_DRAFT,
      round: kept.round,
      touchedAt: kept.touchedAt,
    };
    await appendAuditEvent({
      actorType: "system",
      actorId: "retention",
      action: PURGE_DEFERRED,
      caseId: kept.caseId,
      traderId: kept.traderId,
      data,
      occurredAt: now,
    });
    report.deferred++;
  }
  for (const task of await listPurgesWaitingOnTasks(pastEnd, PURGE_DEFERRED, BATCH)) {
    const data: z.input<typeof purgeDeferredSchema> = {
      taskId: task.taskId,
      kind: task.kind,
      openedAt: task.openedAt,
    };
    await appendAuditEvent({
      actorType: "system",
      actorId: "retention",
      action: PURGE_DEFERRED,
      caseId: task.caseId,
      traderId: task.traderId,
      data,
      occurredAt: now,
    });
    report.deferred++;
  }
  const superseded = { before: at.supersededDecidedBefore, rules: at.supersededRules };
  for (const document of await listSupersededDocuments(superseded, BATCH)) {
    const data: z.input<typeof documentDeletedSchema> = {
      documentId: document.id,
      sha256: document.sha256,
      replacedAt: document.replacedAt,
    };
    const remove = async () => {
      await deleteSupersededDocument(
        document.id,
        {
          actorType: "system",
          actorId: "retention",
          action: DOCUMENT_DELETED,
          caseId: document.caseId,
          data,
          occurredAt: now,
        },
        async () => {
          await storage().delete(document.storageKey);
          await storage().delete(documentKey(document.caseId, document.id));
        },
      );
      return true;
    };
    const ids = { caseId: document.caseId, documentId: document.id };
    if (await eachItem(report, "retention.document_delete_failed", ids, remove)) report.documents++;
  }
  report.refusedUploads = await deleteRefusedUploads(now);
  report.outboxEvents = await deleteSettledOutboxOfPurged(BATCH, (caseId, events) => {
    const data: z.input<typeof outboxDeletedSchema> = { events };
    return {
      actorType: "system",
      actorId: "retention",
      action: OUTBOX_DELETED,
      caseId,
      data,
      occurredAt: now,
    };
  });
  if (Object.values(report).some((n) => n > 0)) log.info("retention.purged", report);
  return report;
}

async function deleteRefusedUploads(now: Date): Promise<number> {
  const formsLastFor = env().storage.uploadUrlTtlSeconds * 1000 + FORM_CLOCK_SKEW_MS;
  const refusals = await listRefusedUploadsToDelete(
    new Date(now.getTime() - formsLastFor),
    DOCUMENT_DELETED,
    BATCH,
  );
  let deleted = 0;
  for (const refusal of refusals) {
    const caseId = refusal.caseId as string;
    const read = documentRefusedSchema.safeParse(refusal.data);
    // The audit trail cannot be corrected: a row that does not read in full (a hand edit, a shape
    // of the future) is logged, and its bytes deleted all the same by the id the listing checked.
    if (!read.success)
      log.error("retention.refusal_unreadable", { caseId, refusedAt: refusal.refusedAt });
    const documentId = read.success
      ? read.data.documentId
      : refusedDocumentId.safeParse(refusal.data).data?.documentId;
    if (!documentId) continue;
    // Deleted before the event is written: a crash in between deletes again on the next run.
    await storage().delete(documentKey(caseId, documentId));
    const data: z.input<typeof documentDeletedSchema> = {
      documentId,
      sha256: null,
      replacedAt: null,
      refused: read.success ? read.data.reason : undefined,
    };
    await appendAuditEvent({
      actorType: "system",
      actorId: "retention",
      action: DOCUMENT_DELETED,
      caseId,
      data,
      occurredAt: now,
    });
    deleted++;
  }
  return deleted;
}
