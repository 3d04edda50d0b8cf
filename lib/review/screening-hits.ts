/**
 * Screening hits as a reviewer works them: the hits of the case's current submission round (its
 * submission run and any re-screening since), those an open monitoring task waits for and the
 * likely ones of earlier rounds nobody has cleared, each with the verdicts staff gave and the
 * state those add up to, and the one place a verdict is recorded.
 *
 * The rules (also in docs/console.md):
 * - Confirming a hit as a match is final for the case: it can never be approved (service and
 *   database), only rejected (or, when approved, revoked) with a final reason.
 * - Clearing a hit as a false positive needs a written reason. A *likely* hit needs two different
 *   people, the second with the approver role (four eyes): the first verdict leaves it "awaiting a
 *   second person". A review-level hit is cleared by one.
 * - Every verdict is a case decision with its audit event; nothing is overwritten.
 */
import { z } from "zod";
import { appendAuditEvent, listCaseAuditData } from "@/lib/db/queries/audit";
import {
  closeMonitoringTaskByDecision,
  getCaseById,
  getOpenReviewTask,
  insertScreeningJudgment,
  listCarriedHitKeys,
  listClearedMonitoringTasks,
  listScreeningJudgments,
  listScreeningResults,
  closeReviewTask,
} from "@/lib/db/queries/review";
import { MONITORING_TASK } from "@/lib/db/queries/checks";
import type { OutboxBuilder } from "@/lib/db/queries/cases";
import type { CaseDecision, KycCase, ReviewTask, StaffRole } from "@/lib/db/schema";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildMonitoringCleared, CASE_MONITORING_CLEARED } from "@/lib/delivery/payload";
import { hitKey, screeningHits, type StoredHit } from "@/lib/checks/evidence";
import { AppError, errorFacts } from "@/lib/errors";
import { getPassCursor, setPassCursor } from "@/lib/db/queries/pass-cursors";
import { log } from "@/lib/log";
import { hasRole } from "@/lib/staff/auth";
import {
  monitoringTaskData,
  RESCREEN_HIT_AUDIT,
  rescreenHitAuditData,
} from "@/lib/checks/monitoring-task";
import { clearedAlready, clearingNeedsApprover, hitsJudgeable, OPEN_STATUSES } from "./controls";
import { hitStrength, screeningVerdictData } from "./screening-verdict";
import { mustBeAsShown, type ShownCase } from "./shown-case";
import type { Reviewer } from "./types";

export const MIN_REASON_LENGTH = 10;

/**
 * The written reason an approver gives for closing a hold task over its evidence (keeping an
 * approval after a vendor's verdict, closing an unreadable monitoring task): trimmed and bounded;
 * refused for anyone but an approver, and when it says too little.
 */
export function approversReason(staff: Reviewer, note: string, what: string): string {
  if (!hasRole(staff, "approver"))
    throw new AppError("FORBIDDEN", `${what} needs an approver`, { reason: "needs_approver" });
  const reason = note.trim().slice(0, 2000);
  if (reason.length < MIN_REASON_LENGTH)
    throw new AppError("BAD_REQUEST", `write why: ${what}`, { reason: "reason_required" });
  return reason;
}

export type HitVerdict = "false_positive" | "confirmed";
export type HitState = "open" | "awaiting_second" | "cleared" | "confirmed";

export type HitJudgment = {
  staffId: string;
  verdict: HitVerdict;
  reason: string | null;
  at: Date;
  /** The run whose sighting was judged. */
  runId: string;
  /** The judged sighting's score, and its uncapped strength when recorded (hitStrength). */
  score: number;
  strength?: number | undefined;
  /** The judge's role then; absent on verdicts stored before it was recorded. */
  role?: StaffRole | undefined;
};

/**
 * The verdicts that still stand on this sighting while its case's hits are judged (an open case,
 * or an open monitoring task). A clearing covers the evidence it was given on: a sighting that
 * matches the listed person more strongly (the trader's answers corrected in a later round, say a
 * date of birth that now agrees) is judged anew. A confirmation always stands (a stronger
 * sighting only confirms it more), and on a case nobody judges now every verdict stands as the
 * decision was taken on it. The audit trail keeps every verdict.
 */
function standing<J extends Pick<HitJudgment, "score" | "strength" | "verdict">>(
  judgments: readonly J[],
  hit: Pick<StoredHit, "score" | "explanation">,
  judged: boolean,
): J[] {
  if (!judged) return [...judgments];
  const strength = hitStrength(hit);
  return judgments.filter(
    (j) =>
      j.verdict === "confirmed" ||
      (j.strength === undefined ? j.score >= hit.score : j.strength >= strength - 1e-9),
  );
}

export type ReviewedHit = StoredHit & {
  key: string;
  state: HitState;
  judgments: HitJudgment[];
  /** Whether the sighting shown is a submission's checks' or a re-screening's (monitoring). */
  origin: "submission" | "rescreen";
  /**
   * The submission round of the run whose sighting this is: earlier than the case's for a hit an
   * open monitoring task waits for, one confirmed as a match, or a likely one nobody has cleared
   * (loadCaseHits). Null: a run stored before runs recorded their round.
   */
  round: number | null;
  runId: string;
  foundAt: Date;
};

function judgmentsByKey(decisions: readonly CaseDecision[]): Map<string, HitJudgment[]> {
  const byKey = new Map<string, HitJudgment[]>();
  for (const d of decisions) {
    const data = screeningVerdictData.safeParse(d.data);
    // A verdict that names no hit judges none: its hit stays as unjudged as it was.
    if (!data.success) {
      log.error("screening.verdict_unreadable", { caseId: d.caseId, decisionId: d.id });
      continue;
    }
    const key = data.data.hitKey;
    const list = byKey.get(key) ?? [];
    list.push({
      staffId: d.staffId,
      verdict: d.decision === "screening_confirmed" ? "confirmed" : "false_positive",
      reason: d.internalNote,
      at: d.createdAt,
      runId: data.data.runId,
      score: data.data.score,
      strength: data.data.strength,
      role: data.data.role,
    });
    byKey.set(key, list);
  }
  return byKey;
}

/**
 * For re-screening (lib/checks/rescreen.ts): whether a sighting of a hit has outlived clearings
 * given on it: some were given on weaker evidence and drop out (`standing`, as when the hit is
 * judged), and what is left no longer clears it. Say the list now gives the listed person's date
 * of birth, and it is the trader's. Answers when the latest of the outlived verdicts was given
 * (the sighting must be stronger than those seen since), or null. A confirmation is never
 * outlived.
 */
export function clearingsOutlivedBy(
  decisions: readonly CaseDecision[],
): (hit: StoredHit) => Date | null {
  const byKey = judgmentsByKey(decisions);
  return (hit) => {
    const judgments = byKey.get(hitKey(hit)) ?? [];
    if (judgments.some((j) => j.verdict === "confirmed")) return null;
    const kept = standing(judgments, hit, true);
    if (kept.length === judgments.length || hitState(hit.level, kept) === "cleared") return null;
    const dropped = judgments.filter((j) => !kept.includes(j));
    return new Date(Math.max(...dropped.map((j) => j.at.getTime())));
  };
}

/**
 * What the verdicts on one hit add up to (pure; the database's approval guard, drizzle/0058,
 * applies the same rule). A likely hit is cleared by two different people, one of them an
 * approver: the second clearing is refused to anyone else (refuseJudgment), and this holds too
 * when clearings that had dropped out stand again (a later round sees the hit less strongly). A
 * verdict that does not record its judge's role counts as it did before roles were recorded.
 */
export function hitState(
  level: StoredHit["level"],
  judgments: readonly Pick<HitJudgment, "staffId" | "verdict" | "role">[],
): HitState {
  if (judgments.some((j) => j.verdict === "confirmed")) return "confirmed";
  const clearings = judgments.filter((j) => j.verdict === "false_positive");
  const clearers = new Set(clearings.map((j) => j.staffId));
  if (level !== "likely") return clearers.size > 0 ? "cleared" : "open";
  const byApprover = clearings.some(
    (j) => j.role === undefined || hasRole({ role: j.role }, "approver"),
  );
  if (clearers.size >= 2 && byApprover) return "cleared";
  return clearers.size > 0 ? "awaiting_second" : "open";
}

/**
 * What an open monitoring task waits for: the hits it was opened for (`hitKey`) and the
 * re-screening runs that found them. From its own data; when that does not read, from the case's
 * `screening.rescreen_hit` audit entries since it opened, which are written with the task (likely
 * matches all). `known` is false when neither says.
 */
async function monitoringTaskHolds(
  caseId: string,
  task: Pick<ReviewTask, "openedAt" | "data">,
): Promise<{ known: boolean; hitKeys: string[]; runIds: string[] }> {
  const data = monitoringTaskData.safeParse(task.data);
  if (data.success)
    return {
      known: true,
      hitKeys: data.data.hits.map((h) => hitKey(h)),
      runIds: data.data.runIds,
    };
  const read = (await listCaseAuditData(caseId, RESCREEN_HIT_AUDIT, task.openedAt)).map((entry) =>
    rescreenHitAuditData.safeParse(entry),
  );
  const entries = read.flatMap((r) => (r.success ? [r.data] : []));
  return {
    // Without a readable record of what the task holds, nothing says its hits were judged.
    known: read.length > 0 && entries.length === read.length,
    hitKeys: [...new Set(entries.flatMap((e) => e.hits.map((h) => hitKey(h))))],
    runIds: [...new Set(entries.flatMap((e) => e.runIds))],
  };
}

// Run ids are the checks' uuids; a stored list that names anything else finds no run.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LEVEL_RANK: Record<StoredHit["level"], number> = { likely: 2, review: 1, below: 0 };

/**
 * Whether a sighting of a hit outweighs the one kept so far: by strength (hitStrength, uncapped:
 * an exact name with a date of birth that now agrees is stronger than without), then by score.
 * Not by level: a stronger sighting is what the listed person looks like now, even when the
 * thresholds of its day put it at a lower level, and a clearing given on a weaker one does not
 * cover it (`standing`). The database's approval trigger (drizzle/0054) judges a round's hits by
 * the same sighting, so the two agree on which clearings stand. The level kept is the highest any
 * sighting had (loadCaseHits): a hit once seen as a likely match needs two people, whichever
 * sighting is shown.
 */
const outweighs = (hit: StoredHit, kept: StoredHit | undefined) => {
  if (!kept) return true;
  const stronger = hitStrength(hit) - hitStrength(kept);
  return stronger > 1e-9 || (Math.abs(stronger) <= 1e-9 && hit.score > kept.score);
};

const higherLevel = (a: StoredHit["level"], b: StoredHit["level"]) =>
  LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b;

/**
 * The hits a person judges now, one per list entry (its strongest sighting, at the highest level any had), with their state:
 * the current round's hits, and from earlier rounds the hits that still count:
 * - those an open monitoring task waits for (found on the approval in force before the trader's
 *   upgrade or resubmission started a round that may not show them, or shows them weaker: a task
 *   opened for a likely match is never cleared by one person);
 * - those confirmed as a match, which is final for the case (the database refuses its approval);
 * - likely ones nobody has cleared (listCarriedHitKeys, the database's rule): found on this case's
 *   answers, they are not undone by answers sent since (another name, another date of birth),
 *   and only two people, one an approver, clear them. Each is shown with every sighting of the
 *   earlier rounds, as the approval guard judges it. Review-level hits of earlier rounds do not
 *   carry: one person clears those, and a round whose answers still resemble the entry shows
 *   them again. Once cleared, a carried hit is no longer the case's to judge.
 */
export async function loadCaseHits(
  kycCase: Pick<KycCase, "id" | "round" | "status">,
  /** The case's open monitoring task, where the caller has read it (undefined: none is open). */
  read?: { monitoringTask: ReviewTask | undefined },
): Promise<ReviewedHit[]> {
  const task = read ? read.monitoringTask : await getOpenReviewTask(kycCase.id, MONITORING_TASK);
  const judged = OPEN_STATUSES.has(kycCase.status) || task !== undefined;
  const [held, decisions, uncleared] = await Promise.all([
    task ? monitoringTaskHolds(kycCase.id, task) : undefined,
    listScreeningJudgments(kycCase.id),
    listCarriedHitKeys(kycCase.id, kycCase.round),
  ]);
  const judgments = judgmentsByKey(decisions);
  const earlier = new Set(uncleared);
  const confirmed = [...judgments].filter(([, list]) =>
    list.some((j) => j.verdict === "confirmed"),
  );
  const carried = new Set([...(held?.hitKeys ?? []), ...confirmed.map(([key]) => key)]);
  const runIds = [
    ...new Set([
      ...(held?.runIds ?? []),
      ...confirmed.flatMap(([, list]) => list.map((j) => j.runId)),
    ]),
  ];
  const unnamed = runIds.filter((id) => !UUID.test(id));
  if (unnamed.length > 0) log.error("screening.run_id_unreadable", { caseId: kycCase.id, unnamed });
  const named = runIds.filter((id) => UUID.test(id));
  const results = await listScreeningResults(kycCase.id, kycCase.round, named, earlier.size > 0);
  const byKey = new Map<string, ReviewedHit>();
  for (const result of results) {
    const fromNamed = named.includes(result.runId);
    for (const hit of screeningHits(result.evidence)) {
      const key = hitKey(hit);
      if (result.round !== kycCase.round && !earlier.has(key) && !(fromNamed && carried.has(key)))
        continue;
      const kept = byKey.get(key);
      if (kept && !outweighs(hit, kept)) {
        // A weaker sighting at a higher level: the kept one is judged at that level.
        const level = higherLevel(kept.level, hit.level);
        if (level !== kept.level)
          byKey.set(key, { ...kept, level, state: hitState(level, kept.judgments) });
        continue;
      }
      const level = kept ? higherLevel(kept.level, hit.level) : hit.level;
      const mine = standing(judgments.get(key) ?? [], hit, judged);
      byKey.set(key, {
        ...hit,
        level,
        key,
        origin: result.reason,
        round: result.round,
        runId: result.runId,
        foundAt: kept?.foundAt ?? result.runAt,
        judgments: mine,
        state: hitState(level, mine),
      });
    }
  }
  // A hit an open monitoring task holds is the likely match it was opened for, whichever
  // sighting the case shows of it (its run may be gone): two people clear it, never one.
  const heldKeys = new Set(held?.hitKeys);
  return [...byKey.values()]
    .map((h) =>
      heldKeys.has(h.key) && h.level !== "likely"
        ? { ...h, level: "likely" as const, state: hitState("likely", h.judgments) }
        : h,
    )
    .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key));
}

/** Why the hits stand in the way of an approval, if they do. */
export function hitBlocker(
  hits: readonly Pick<ReviewedHit, "level" | "state">[],
): "confirmed_match" | "likely_hit_open" | "hit_unjudged" | null {
  if (hits.some((h) => h.state === "confirmed")) return "confirmed_match";
  if (hits.some((h) => h.level === "likely" && h.state !== "cleared")) return "likely_hit_open";
  if (hits.some((h) => h.state !== "cleared")) return "hit_unjudged";
  return null;
}

export type JudgeResult = { state: HitState; monitoringCleared: boolean };

/**
 * The sighting of a hit as the case page showed it (its run, and its strength, hitStrength):
 * written by the page as the hit form's hidden fields (`sightingShown`), read back by the action
 * (one schema for both). A verdict is recorded on that sighting or not at all.
 */
export const hitSightingShown = z.object({
  runId: z.uuid(),
  strength: z.string().min(1).max(40).pipe(z.coerce.number()),
});
export type HitSightingShown = z.output<typeof hitSightingShown>;

/** The hit form's fields for this sighting (what `hitSightingShown` reads back). */
export function sightingShown(
  hit: Pick<ReviewedHit, "runId" | "explanation">,
): z.input<typeof hitSightingShown> {
  return { runId: hit.runId, strength: String(hitStrength(hit)) };
}

/** Why this verdict may not be given on a hit with these verdicts already (throws), if it may not. */
function refuseJudgment(
  staff: Reviewer,
  level: StoredHit["level"],
  judgments: readonly Pick<HitJudgment, "staffId" | "verdict" | "role">[],
  verdict: HitVerdict,
): void {
  const state = hitState(level, judgments);
  if (state === "confirmed")
    throw new AppError("CONFLICT", "this hit is already confirmed as a match", {
      reason: "hit_already_confirmed",
    });
  if (verdict !== "false_positive") return;
  if (state === "cleared")
    throw new AppError("CONFLICT", "this hit is already cleared", {
      reason: "hit_already_cleared",
    });
  if (clearedAlready(staff, level, state, judgments))
    throw new AppError("CONFLICT", "you already cleared this hit; a second person must confirm", {
      reason: "already_judged",
    });
  if (clearingNeedsApprover(staff, level, state, judgments))
    throw new AppError("FORBIDDEN", "the second clearing of a likely hit needs an approver", {
      reason: "second_needs_approver",
    });
}

export async function judgeScreeningHit(
  staff: Reviewer,
  caseId: string,
  input: {
    hitKey: string;
    /** The sighting the page showed (undefined: the form did not say, a page from before). */
    shown: HitSightingShown | undefined;
    verdict: HitVerdict;
    reason?: string;
  },
  now = new Date(),
): Promise<JudgeResult> {
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case", { reason: "not_found" });
  const monitoringTask = await getOpenReviewTask(caseId, MONITORING_TASK);
  if (!hitsJudgeable(kycCase.status, monitoringTask !== undefined))
    throw new AppError("CONFLICT", "the case is closed; its hits are no longer judged", {
      reason: "not_open",
    });
  const hits = await loadCaseHits(kycCase, { monitoringTask });
  const hit = hits.find((h) => h.key === input.hitKey);
  if (!hit) throw new AppError("BAD_REQUEST", "unknown screening hit", { reason: "unknown_hit" });
  refuseJudgment(staff, hit.level, hit.judgments, input.verdict);
  // A clearing covers the evidence it was given on: a re-screening or a new round that brought a
  // stronger sighting since the page was read is not what the officer judged. The console answers
  // `changed`, and the page, read again, shows the sighting there is now.
  const { shown } = input;
  if (!shown || shown.runId !== hit.runId || Math.abs(shown.strength - hitStrength(hit)) > 1e-9)
    throw new AppError("CONFLICT", "the hit was seen anew since the page was read");
  const reason = input.reason?.trim().slice(0, 2000) ?? "";
  if (input.verdict === "false_positive" && reason.length < MIN_REASON_LENGTH)
    throw new AppError("BAD_REQUEST", "write why this is not the listed person", {
      reason: "reason_required",
    });
  const decision =
    input.verdict === "confirmed" ? "screening_confirmed" : "screening_false_positive";
  // Judged again under the case's lock against the verdicts given meanwhile (two people clearing
  // a likely hit at once would otherwise both read it open, and clear it without an approver),
  // and as the giver's account is now: one demoted or disabled while the verdict waited for the
  // case gives it with the rights they have left, and the verdict records that role.
  const underLock = await insertScreeningJudgment(caseId, staff.id, (decisions, account) => {
    if (!account || account.disabledAt !== null)
      throw new AppError("FORBIDDEN", "the account was disabled");
    const asNow = { id: staff.id, role: account.role };
    refuseJudgment(
      asNow,
      hit.level,
      standing(judgmentsByKey(decisions).get(hit.key) ?? [], hit, true),
      input.verdict,
    );
    const data = screeningVerdictData.parse({
      hitKey: hit.key,
      source: hit.source,
      entryId: hit.entryId,
      level: hit.level,
      score: hit.score,
      listedName: hit.listedName,
      runId: hit.runId,
      strength: hitStrength(hit),
      role: account.role,
    });
    return {
      caseId,
      staffId: staff.id,
      decision,
      internalNote: reason || null,
      data,
      now,
      audit: {
        actorType: "staff",
        actorId: staff.id,
        action: `screening.${input.verdict}`,
        caseId,
        data: { ...data, reason: reason || null },
        occurredAt: now,
      },
    };
  });
  const state = hitState(
    hit.level,
    standing(judgmentsByKey(underLock).get(hit.key) ?? [], hit, true),
  );
  // The verdict is stored: the answer says so whatever the close after it does. A close that
  // fails leaves a task whose hits are all cleared, which housekeeping closes
  // (settleClearedMonitoringTasks); reporting the stored verdict as failed would have the officer
  // clear it again, and be refused.
  const monitoringCleared =
    state === "cleared"
      ? await settleMonitoringTask(staff.id, kycCase, now, { justCleared: hit.key }).catch(
          (error: unknown) => {
            log.error("screening.monitoring_settle_failed", {
              caseId,
              hitKey: hit.key,
              ...errorFacts(error),
            });
            return false;
          },
        )
      : false;
  return { state, monitoringCleared };
}

/**
 * A monitoring task is over when every likely hit it was opened for is cleared: the task closes
 * and the CRM and cTrader hear that the hold is lifted (`case.monitoring_cleared`). Fails closed:
 * a task whose data does not parse, or a hit of it that its run's results no longer show, keeps
 * the task open (and the hold on), for a person to resolve; reported when a verdict asked
 * (`justCleared`), not at every housekeeping pass. Idempotent: a task already closed, or one
 * that changed since it was read, is left as it is.
 */
async function settleMonitoringTask(
  /** The person whose verdict cleared the last hit; null: housekeeping. */
  closer: string | null,
  kycCase: KycCase,
  now: Date,
  read: { justCleared: string } | { task: ReviewTask & { fingerprint: string } },
): Promise<boolean> {
  const task = "task" in read ? read.task : await getOpenReviewTask(kycCase.id, MONITORING_TASK);
  if (!task) return false;
  const data = monitoringTaskData.safeParse(task.data);
  if (!data.success) {
    if (!("justCleared" in read)) return false;
    const { justCleared } = read;
    log.error("screening.monitoring_task_unreadable", { caseId: kycCase.id, taskId: task.id });
    await appendAuditEvent({
      actorType: "system",
      actorId: "review",
      action: "screening.monitoring_task_unreadable",
      caseId: kycCase.id,
      traderId: kycCase.traderId,
      occurredAt: now,
      data: {
        taskId: task.id,
        hitKey: justCleared,
        unreadable: data.error.issues.map((i) => i.path.join(".") || "(data)"),
      },
    });
    return false;
  }
  // Read after the verdict was stored. Each hit of the task counts as the likely match it was
  // opened for, whichever sighting the case shows now: two people clear it, never one.
  const hits = new Map(
    (await loadCaseHits(kycCase, { monitoringTask: task })).map((h) => [h.key, h]),
  );
  const open = data.data.hits.some(
    (h) => hitState("likely", hits.get(hitKey(h))?.judgments ?? []) !== "cleared",
  );
  if (open) return false;
  return closeReviewTask({
    caseId: kycCase.id,
    kind: MONITORING_TASK,
    staffId: closer,
    resolution: "cleared",
    now,
    outbox: monitoringCleared(now),
    // A re-screening that added a hit meanwhile keeps the task open.
    asRead: { taskId: task.id, fingerprint: task.fingerprint },
  });
}

/** How many monitoring tasks one housekeeping pass closes at most; the next pass takes the rest. */
export const MONITORING_SETTLE_BATCH = 100;
/**
 * How many tasks one pass reads at most, closed or not: the pre-filter lets through tasks the
 * rule refuses (clearings a stronger sighting outlived, data that does not read), read again each
 * pass until a person acts, and those must not make one pass unbounded.
 */
export const MONITORING_SETTLE_READ = 10 * MONITORING_SETTLE_BATCH;

/** The settle pass's place in the open monitoring tasks (pass_cursors). */
const SETTLE_CURSOR = "monitoring_settle";

/**
 * Housekeeping's pass over the open monitoring tasks whose hits are all cleared but which no
 * verdict closed (the close after the last clearing failed, or a later round let clearings stand
 * again): closes each, as the last clearing would have. SQL picks the tasks the rule could close
 * (listClearedMonitoringTasks, from the verdicts alone), so the pass stays cheap with thousands
 * of tasks waiting for a person; the rule itself is settleMonitoringTask's, on each task as read.
 * Pages are read on from the last task read (keyset), and each pass starts where the one before
 * stopped (pass_cursors), going round to the oldest once it reaches the newest, and stopping
 * where it began: more tasks the rule refuses than one pass reads cannot keep any pass from the
 * others. At most `limit` closed and `maxRead` read a pass. A task whose data does not read is an
 * approver's to close (closeUnreadableMonitoringTask). One case failing does not stop the others.
 * Answers how many it closed.
 */
export async function settleClearedMonitoringTasks(
  now = new Date(),
  limit = MONITORING_SETTLE_BATCH,
  maxRead = MONITORING_SETTLE_READ,
): Promise<number> {
  let closed = 0;
  let read = 0;
  const began = await getPassCursor(SETTLE_CURSOR);
  let after = began;
  let wrapped = began === undefined;
  while (closed < limit && read < maxRead) {
    const size = Math.min(limit - closed, maxRead - read);
    const page = await listClearedMonitoringTasks(size, after, wrapped ? began : undefined);
    for (const task of page) {
      read += 1;
      after = task.id;
      try {
        const kycCase = await getCaseById(task.caseId);
        if (kycCase && (await settleMonitoringTask(null, kycCase, now, { task }))) {
          closed += 1;
          log.info("screening.monitoring_task_settled", { caseId: kycCase.id, taskId: task.id });
        }
      } catch (error) {
        log.error("screening.monitoring_settle_failed", {
          caseId: task.caseId,
          ...errorFacts(error),
        });
      }
    }
    if (page.length < size) {
      // Every task was read once: the next pass starts at the head.
      if (wrapped) {
        after = undefined;
        break;
      }
      wrapped = true;
      after = undefined;
    }
  }
  await setPassCursor(SETTLE_CURSOR, after, now);
  return closed;
}

/** The CRM's and cTrader's event that the monitoring hold is lifted. */
const monitoringCleared =
  (now: Date): OutboxBuilder =>
  ({ eventId, sequence, moved, trader }) => ({
    type: CASE_MONITORING_CLEARED,
    payload: buildMonitoringCleared({ eventId, sequence, occurredAt: now, kycCase: moved, trader }),
    destinations: destinationIdsFor(CASE_MONITORING_CLEARED),
  });

/**
 * Where a monitoring task whose own data does not read stands (null: it reads, and closes by
 * itself once its hits are cleared, settleMonitoringTask). The hits it was opened for
 * (monitoringTaskHolds), judged by the case's verdicts on them; with them, the hits the case
 * shows (loadCaseHits). `blocker` says why the task cannot close yet (null: every one of those
 * hits is cleared); `judgments` is how many verdicts the case held when this was read. The page
 * (lib/review/controls.ts) and closeUnreadableMonitoringTask both ask this.
 */
export async function unreadableTaskStanding(
  kycCase: Pick<KycCase, "id">,
  task: Pick<ReviewTask, "openedAt" | "data">,
  caseHits: readonly ReviewedHit[],
): Promise<{
  blocker: ReturnType<typeof hitBlocker> | "task_hits_unknown";
  hitKeys: string[];
  judgments: number;
} | null> {
  if (monitoringTaskData.safeParse(task.data).success) return null;
  const [held, decisions] = await Promise.all([
    monitoringTaskHolds(kycCase.id, task),
    listScreeningJudgments(kycCase.id),
  ]);
  const judgments = judgmentsByKey(decisions);
  // A hit of the task whose run no longer shows it is still a likely match to clear.
  const taskHits = held.hitKeys.map((key) => ({
    level: "likely" as const,
    state: hitState("likely", judgments.get(key) ?? []),
  }));
  return {
    blocker: held.known ? hitBlocker([...taskHits, ...caseHits]) : "task_hits_unknown",
    hitKeys: [...new Set([...held.hitKeys, ...caseHits.map((h) => h.key)])],
    judgments: decisions.length,
  };
}

/**
 * Closes a monitoring task whose own record of its hits does not read (settleMonitoringTask
 * leaves it open, reported): an approver's decision with a written reason, allowed once every
 * hit it was opened for, and every hit of the current round, is cleared. The decision names
 * those hits; the CRM and cTrader hear that the hold is lifted, as when the task closes by itself.
 */
export async function closeUnreadableMonitoringTask(
  staff: Reviewer,
  caseId: string,
  input: { note: string; shown: ShownCase | undefined },
  now = new Date(),
): Promise<void> {
  const note = approversReason(staff, input.note, "closing a monitoring task");
  const kycCase = await getCaseById(caseId);
  if (!kycCase) throw new AppError("NOT_FOUND", "no such case", { reason: "not_found" });
  const task = await getOpenReviewTask(caseId, MONITORING_TASK);
  if (!task)
    throw new AppError("CONFLICT", "no monitoring task is open on this case", {
      reason: "no_monitoring_task",
    });
  // Closed on the case the page showed: a verdict or a hit since is not what the approver read.
  mustBeAsShown(kycCase, input.shown);
  const { eventSeq } = kycCase;
  const standing = await unreadableTaskStanding(
    kycCase,
    task,
    await loadCaseHits(kycCase, { monitoringTask: task }),
  );
  if (!standing)
    throw new AppError("CONFLICT", "this task closes by itself once its hits are cleared", {
      reason: "monitoring_task_readable",
    });
  if (standing.blocker)
    throw new AppError("CONFLICT", "every hit of the task and the case must be cleared first", {
      reason: standing.blocker,
    });
  const data = {
    taskId: task.id,
    resolution: "closed_unreadable" as const,
    clearedHits: standing.hitKeys,
  };
  const closed = await closeMonitoringTaskByDecision({
    caseId,
    staffId: staff.id,
    decision: MONITORING_TASK,
    internalNote: note,
    data,
    now,
    asRead: {
      taskId: task.id,
      fingerprint: task.fingerprint,
      judgments: standing.judgments,
      eventSeq,
    },
    outbox: monitoringCleared(now),
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: "screening.monitoring_task_closed",
      caseId,
      traderId: kycCase.traderId,
      data,
      occurredAt: now,
    },
  });
  // Closed, grown or judged by someone else meanwhile: the page shows what is there now.
  if (!closed) throw new AppError("CONFLICT", "the monitoring task changed meanwhile");
}
