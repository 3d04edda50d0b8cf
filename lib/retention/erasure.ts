/**
 * A data subject's erasure request, recorded by an admin and answered at once: executed when no
 * legal reason keeps the data (every case of the trader is a draft never submitted, or past its
 * retention), otherwise refused with the reason — `legal_hold`; `open_task` while a monitoring hit
 * or a late vendor verdict waits for a decision (the AML duty to decide it, and perhaps report a
 * suspicion, outlives the relationship; the purge waits for it too); or `retention_not_over` with
 * the date the erasure will run (null while the relationship has not ended: the date is not known;
 * so too for a trader who came back after the end was recorded and has a case from since); or
 * `upload_in_progress` when the purge put a case off because a file may still land under one of
 * its upload keys (the trader is uploading, or a form signed minutes ago is still valid): no date,
 * the request is recorded again once the form has expired (UPLOADS_LAND_WITHIN_MS after it).
 * An erasure that stops on an error (a storage outage) is `failed`, with how many cases it erased
 * before. Either way the request and its answer are stored and audited.
 */
import "server-only";
import { getCaseById } from "@/lib/db/queries/cases";
import {
  getRelationship,
  insertErasureRequest,
  listTraderCaseRetention,
  traderHasOpenHoldTask,
  traderUploadsMayLand,
} from "@/lib/db/queries/retention";
import { env } from "@/lib/env";
import { AppError, errorFacts } from "@/lib/errors";
import { log } from "@/lib/log";
import type { StaffPrincipal } from "@/lib/staff/auth";
import { ERASURE_REQUESTED, erasureRequestedData, type ERASURE_REFUSALS } from "./erasure-data";
import { cutoffs, endCovers, tradersErasureDue } from "./policy";
import { ErasureInterrupted, purgeCase, UPLOADS_LAND_WITHIN_MS } from "./purge";
import { listTraderCasesForRetention } from "./relationship";

export type ErasureAnswer =
  | { outcome: "executed"; erased: number }
  /**
   * The erasure stopped on an error (a storage outage deleting the files): recorded with how many
   * cases it erased before and how many stored objects of the case it stopped on it had already
   * deleted (that case's rows stay, but those files are gone: partly carried out), so the request
   * is visible for what it did and can be recorded again.
   */
  | { outcome: "failed"; erased: number; objectsDeleted: number }
  | {
      outcome: "refused";
      reason: (typeof ERASURE_REFUSALS)[number];
      runsAt: Date | null;
    };

/**
 * Why the purge left a trader's case, read again after the skip: a hold, a task or an upload set
 * meanwhile, or else a submission sent meanwhile (its period starts again).
 */
async function whyKept(traderId: string, now: Date): Promise<ErasureAnswer> {
  const [retention, taskOpen, uploading] = await Promise.all([
    listTraderCaseRetention(traderId),
    traderHasOpenHoldTask(traderId),
    traderUploadsMayLand(traderId, new Date(now.getTime() - UPLOADS_LAND_WITHIN_MS)),
  ]);
  if (retention.some((r) => r.legalHoldAt && !r.purgedAt))
    return { outcome: "refused", reason: "legal_hold", runsAt: null };
  if (taskOpen) return { outcome: "refused", reason: "open_task", runsAt: null };
  if (uploading) return { outcome: "refused", reason: "upload_in_progress", runsAt: null };
  return { outcome: "refused", reason: "retention_not_over", runsAt: null };
}

export async function requestErasure(
  staff: Pick<StaffPrincipal, "id" | "role">,
  caseId: string,
  now = new Date(),
): Promise<ErasureAnswer> {
  if (staff.role !== "admin")
    throw new AppError("FORBIDDEN", "erasure requests need the admin role", {
      reason: "needs_admin",
    });
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case", { reason: "not_found" });
  const traderId = kycCase.traderId;
  const [cases, retention, relationship, taskOpen] = await Promise.all([
    listTraderCasesForRetention(traderId),
    listTraderCaseRetention(traderId),
    getRelationship(traderId),
    traderHasOpenHoldTask(traderId),
  ]);
  const state = new Map(retention.map((r) => [r.caseId, r]));
  const live = cases.filter((c) => !state.get(c.id)?.purgedAt);
  const bound = live.filter((c) => c.round > 0);
  // The end dates the request only if it covers every case that holds a submission.
  const ended =
    relationship && bound.every((c) => endCovers(relationship, c)) ? relationship.endedAt : null;
  // Every case that holds a submission must be past its own period (outcome and trigger).
  const due = ended ? tradersErasureDue(env().retention, ended, bound) : null;
  let answer: ErasureAnswer;
  if (live.some((c) => state.get(c.id)?.legalHoldAt))
    answer = { outcome: "refused", reason: "legal_hold", runsAt: null };
  else if (taskOpen) answer = { outcome: "refused", reason: "open_task", runsAt: null };
  else if (bound.length > 0 && (!due || due.getTime() > now.getTime()))
    answer = { outcome: "refused", reason: "retention_not_over", runsAt: due };
  else {
    // Checked again under each case's lock by the purge's own rule: the request read the
    // relationship end and the rounds before it, and either may have changed since.
    const at = cutoffs(env().retention, now);
    const cut = { endedBefore: at.relationshipEndedBefore, rules: at.caseRules };
    let erased = 0;
    let failed = false;
    let objectsDeleted = 0;
    for (const c of live)
      try {
        if (
          await purgeCase(c.id, { rule: "erasure_request", round: c.round, cut }, now, {
            type: "staff",
            id: staff.id,
          })
        )
          erased++;
      } catch (error) {
        // The case's transaction rolled back (its rows stay, on a case that was due): the
        // request is recorded as failed rather than lost with the error.
        if (error instanceof ErasureInterrupted) objectsDeleted = error.objectsDeleted;
        log.error("retention.erasure_request_failed", {
          caseId: c.id,
          objectsDeleted,
          ...errorFacts(error),
        });
        failed = true;
        break;
      }
    answer = failed
      ? { outcome: "failed", erased, objectsDeleted }
      : { outcome: "executed", erased };
    // A case the purge left is not erased: say why, not "executed".
    if (!failed && erased < live.length) answer = await whyKept(traderId, now);
  }
  await insertErasureRequest(
    {
      traderId,
      requestedBy: staff.id,
      requestedAt: now,
      outcome: answer.outcome,
      reason: answer.outcome === "refused" ? answer.reason : null,
      runsAt: answer.outcome === "refused" ? answer.runsAt : null,
    },
    {
      actorType: "staff",
      actorId: staff.id,
      action: ERASURE_REQUESTED,
      caseId,
      traderId,
      data: erasureRequestedData.parse(
        answer.outcome === "refused"
          ? { ...answer, runsAt: answer.runsAt?.toISOString() ?? null }
          : answer,
      ),
      occurredAt: now,
    },
  );
  return answer;
}
