/**
 * Re-screening: when a list changes, the latest case of every trader it concerns is screened
 * again against the new lists (not one whose business relationship ended:
 * lib/db/queries/ended-relationship.ts), each stored as `rescreen` runs of its current round:
 *
 * - An approval in force (approved, or an upgrade of it open): ongoing monitoring. What is
 *   screened is what the approval rests on: an approved case's answers, or, while an upgrade (or
 *   early renewal) is open, the answers of the round that approval decided (lib/kyc/upgrade.ts
 *   approvedInputs), never the draft the trader is editing meanwhile. A likely match this case
 *   has not had before reaches a person, in one transaction: an open monitoring task on the case
 *   (the queue's "monitoring hit" filter), the risk raised to high and escalated, an audit event,
 *   and a `case.monitoring_hit` outbox event to the CRM webhook and the cTrader account adapter,
 *   which applies the `monitoring_hit` access rights (default CLOSE_ONLY) until someone decides.
 *   The case's status is not changed automatically: taking back an approval is a person's
 *   decision (lib/review/decisions.ts revoke).
 * - A submission awaiting its decision whose checks have run (an upgrade in review is both): its
 *   sent answers. A new likely match joins the round's hits, which a person judges before the
 *   case can be approved, and raises the risk (four eyes where configured). An approval needs
 *   its round screened against the lists in force at that moment (lib/kyc/cases.ts), so a person
 *   listed between the checks and the decision is not approved on the lists of before.
 *
 * A run covers the cases not yet screened against the current list versions, so a run cut off
 * midway (a crash, a deploy, the cron route's time limit) is finished by the next one, even when
 * the lists have not changed since: nobody is left out, nobody screened twice. A case with no
 * personal data to screen, or whose saved answers do not read, is not stored as screened: it is
 * logged, audited and reported (`unscreened`, with the reason), and stays pending, so every later
 * import tries it again, while the run goes on to the traders after it.
 */
import {
  listCasesToRescreen,
  recordRescreenRun,
  type CaseToRescreen,
  type ScreeningHistory,
} from "@/lib/db/queries/checks";
import { listScreeningLists, removeScreeningList } from "@/lib/db/queries/screening-lists";
import { env } from "@/lib/env";
import { AppError, errorFacts, errorMessage, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { listCaseEvents } from "@/lib/db/queries/cases";
import { approvalInForce, awaitingDecision } from "@/lib/kyc/case-state";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { approvedInputs } from "@/lib/kyc/upgrade";
import {
  importListFiles,
  sourceName,
  type ImportOptions,
  type ListImport,
} from "@/lib/screening/import";
import { getScreeningIndex, type LoadedIndex } from "@/lib/screening/store";
import { needsFourEyes } from "@/lib/review/risk";
import { clearingsOutlivedBy } from "@/lib/review/screening-hits";
import { hitStrength } from "@/lib/review/screening-verdict";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildMonitoringHit, CASE_MONITORING_HIT } from "@/lib/delivery/payload";
import { checkScreening, type CheckContext } from "./checks";
import { countedScreeningHits, hitKey, screeningHits, type StoredHit } from "./evidence";
import { retryAudit } from "./retry-audit";
import { decideRisk, riskConfig } from "./risk";
import { buildSnapshot } from "./snapshot";

export type RescreenReport = {
  screened: number;
  newHits: { caseId: string; traderId: string; hits: StoredHit[] }[];
  /** Cases that could not be screened: still pending, tried again by the next run. */
  unscreened: { caseId: string; traderId: string; reason: UnscreenedReason }[];
};

/**
 * Why a case was not screened: nothing to screen on, or answers that do not read (a step's saved
 * answers, the case's data key): screening the rest would read as "screened".
 */
export type UnscreenedReason = "no_personal_data" | "unreadable_answers";

/** How the operator commands print each reason. */
export const UNSCREENED_WHY: Record<UnscreenedReason, string> = {
  no_personal_data: "no personal data",
  unreadable_answers: "its saved answers do not read",
};

/**
 * The answers to screen. One case whose data does not read (a step's saved answers, its data
 * key: our own error, an AppError) is that case's fault: nothing of it is screened, not even the
 * part that reads (a run of an upgrade's approved answers alone would mark its round screened,
 * and the upgrade could be approved on what it sent, never screened); it is reported unscreened
 * and the run goes on to the traders after it. Anything else (the database gone) stops the run,
 * and the next one resumes where it stopped.
 */
async function readAnswersToScreen(kycCase: CaseToRescreen) {
  try {
    return await answersToScreen(kycCase);
  } catch (error) {
    if (!isAppError(error)) throw error;
    log.error("screening.rescreen_unreadable", {
      caseId: kycCase.id,
      error: errorMessage(error),
    });
    return ["unreadable" as const];
  }
}

/**
 * The answers the approval in force rests on. While an upgrade or early renewal is open the
 * case's drafts are the trader's new round (an autosave of a half-edited step leaves it
 * incomplete): the approved round's frozen answers are screened instead. Null when that round
 * was not frozen: nothing the approval rests on can be read.
 */
async function answersInForce(kycCase: CaseToRescreen) {
  if (kycCase.status === "approved")
    return { level: kycCase.level, drafts: await loadStepDrafts(kycCase.id) };
  const approved = await approvedInputs(kycCase.id, await listCaseEvents(kycCase.id));
  if (!approved) return null;
  const drafts = Object.fromEntries(
    Object.entries(approved.answers).map(([step, answer]) => [
      step,
      { data: answer.data ?? null, completed: answer.data != null },
    ]),
  );
  return { level: kycCase.approvedLevel ?? kycCase.level, drafts };
}

/**
 * What a list change asks to screen on the case: the answers of a submission awaiting its
 * decision (sent, so the trader cannot change them), and the answers an approval in force rests
 * on. An upgrade in review has both. Null: no approved round to read.
 */
async function answersToScreen(kycCase: CaseToRescreen) {
  const sets: ({ level: string; drafts: Record<string, unknown> } | null)[] = [];
  if (awaitingDecision(kycCase))
    sets.push({ level: kycCase.level, drafts: await loadStepDrafts(kycCase.id) });
  if (approvalInForce(kycCase)) sets.push(await answersInForce(kycCase));
  return sets;
}

function likelyKeys(evidence: unknown): string[] {
  return screeningHits(evidence)
    .filter((h) => h.level === "likely")
    .map(hitKey);
}

/** The strongest sighting of a hit (hitStrength) in the runs stored after `since`. */
function strongestSince(
  evidence: readonly { evidence: unknown; at: Date }[],
  key: string,
  since: Date,
): number {
  let strongest = -Infinity;
  for (const row of evidence) {
    if (row.at <= since) continue;
    for (const hit of screeningHits(row.evidence))
      if (hitKey(hit) === key) strongest = Math.max(strongest, hitStrength(hit));
  }
  return strongest;
}

/**
 * The likely matches of these results that the case has not had before, by its history (read by
 * recordRescreenRun on the locked case, so a run stored meanwhile counts). A likely match seen
 * before is new again when clearings on it were given on weaker evidence, and it is seen more
 * strongly than in any run since the latest of those: it reaches a person once, not at every
 * import.
 */
function newLikelyHits(
  results: readonly { evidence: unknown }[],
  { evidence, judgments }: ScreeningHistory,
): StoredHit[] {
  const seen = new Set(evidence.flatMap((e) => likelyKeys(e.evidence)));
  const outlivedSince = clearingsOutlivedBy(judgments);
  const isNew = (hit: StoredHit) => {
    if (!seen.has(hitKey(hit))) return true;
    const since = outlivedSince(hit);
    return since !== null && hitStrength(hit) > strongestSince(evidence, hitKey(hit), since) + 1e-9;
  };
  const fresh = new Map<string, StoredHit>();
  for (const result of results)
    for (const hit of screeningHits(result.evidence))
      if (hit.level === "likely" && isNew(hit)) fresh.set(hitKey(hit), hit);
  return [...fresh.values()];
}

const versionsOf = (lists: { source: string; version: string }[]) =>
  Object.fromEntries(lists.map((l) => [l.source, l.version]));

/** Whether some case a list change concerns has not been screened against the current lists. */
async function rescreenPending(now: Date): Promise<boolean> {
  const lists = await listScreeningLists();
  return lists.length > 0 && (await listCasesToRescreen(versionsOf(lists), now)).length > 0;
}

type Screening = { loaded: LoadedIndex; ctx: CheckContext };

async function currentScreening(now: Date): Promise<Screening> {
  const loaded = await getScreeningIndex();
  const ctx: CheckContext = {
    now,
    minAge: env().checks.minAge,
    config: riskConfig(),
    screening: loaded.index.entries.length > 0 ? loaded : null,
  };
  return { loaded, ctx };
}

/** Screens one case against the current lists and stores its runs; adds it to the report. */
async function rescreenOne(
  kycCase: CaseToRescreen,
  { loaded, ctx }: Screening,
  report: RescreenReport,
  now: Date,
  requestedBy?: { staffId: string },
): Promise<void> {
  const results: ReturnType<typeof checkScreening>[] = [];
  let reason: UnscreenedReason = "no_personal_data";
  const sets = await readAnswersToScreen(kycCase);
  for (const answers of sets) {
    if (answers === "unreadable") {
      reason = "unreadable_answers";
      continue;
    }
    const result = checkScreening(
      buildSnapshot({
        caseId: kycCase.id,
        traderId: kycCase.traderId,
        level: answers?.level ?? kycCase.level,
        drafts: answers?.drafts ?? {},
        documents: [],
      }),
      ctx,
    );
    if ("lists" in result.evidence) results.push(result);
  }
  // Fail closed: a compliance officer reads a stored run as "screened against these lists". An
  // upgrade in review whose approved answers cannot be read is screened on what it sent, and
  // reported: the approval in force it would replace goes unmonitored.
  if (results.length < sets.length) {
    report.unscreened.push({ caseId: kycCase.id, traderId: kycCase.traderId, reason });
    log.error("screening.rescreen_unscreened", {
      caseId: kycCase.id,
      status: kycCase.status,
      reason,
    });
    await appendAuditEvent({
      actorType: "system",
      actorId: "checks",
      action: "screening.rescreen_unscreened",
      caseId: kycCase.id,
      traderId: kycCase.traderId,
      occurredAt: now,
      data: { reason, lists: loaded.versions },
    });
  }
  if (results.length === 0) return;
  const stored = await recordRescreenRun({
    caseId: kycCase.id,
    traderId: kycCase.traderId,
    records: results.map((result) => ({
      results: [result],
      ...decideRisk([result], ctx.config, false),
      listVersions: loaded.versions,
      screeningHits: countedScreeningHits(result.evidence),
    })),
    findNewHits: (history) => newLikelyHits(results, history),
    outbox:
      (hits) =>
      ({ eventId, sequence, moved, trader }) => ({
        type: CASE_MONITORING_HIT,
        payload: buildMonitoringHit({
          eventId,
          sequence,
          occurredAt: now,
          kycCase: moved,
          trader,
          hits,
        }),
        destinations: destinationIdsFor(CASE_MONITORING_HIT),
      }),
    fourEyesAtHigh: needsFourEyes("high", env().review.fourEyesMinRisk),
    ...(requestedBy && {
      alsoAudit: (runIds: string[]) =>
        retryAudit(requestedBy, kycCase, { rescreen: true, outcome: "recorded", runIds }, now),
    }),
    now,
  });
  // Another run (a reviewer's, an import's) screened it against these lists meanwhile: its hits
  // are that run's to report.
  if (!stored) {
    log.info("screening.rescreen_already_done", { caseId: kycCase.id });
    return;
  }
  report.screened += 1;
  if (stored.newHits.length > 0) {
    report.newHits.push({ caseId: kycCase.id, traderId: kycCase.traderId, hits: stored.newHits });
    log.warn("screening.rescreen_hit", { caseId: kycCase.id, hits: stored.newHits.length });
  }
}

export async function rescreenTraders(now = new Date()): Promise<RescreenReport> {
  const screening = await currentScreening(now);
  const report: RescreenReport = { screened: 0, newHits: [], unscreened: [] };
  // No list, nothing to screen against (the index's versions are empty).
  const cases =
    Object.keys(screening.loaded.versions).length > 0
      ? await listCasesToRescreen(screening.loaded.versions, now)
      : [];
  for (const kycCase of cases) await rescreenOne(kycCase, screening, report, now);
  return report;
}

/**
 * Screens one submission awaiting its decision against the current lists now: what a reviewer
 * asks for when the lists changed after the case's checks and the re-screening has not reached
 * it yet (lib/review/decisions.ts retryChecks). The officer's retry is audited with what it did,
 * after the screening: with the runs, in their transaction, when they are stored; otherwise once
 * it is known that the answers could not be screened, another run screened them first, or the
 * screening failed.
 */
export async function rescreenCase(
  kycCase: CaseToRescreen,
  now = new Date(),
  requestedBy?: { staffId: string },
): Promise<RescreenReport> {
  const report: RescreenReport = { screened: 0, newHits: [], unscreened: [] };
  const audit = (outcome: "failed" | "unscreened" | "already_screened") =>
    requestedBy
      ? appendAuditEvent(retryAudit(requestedBy, kycCase, { rescreen: true, outcome }, now))
      : Promise.resolve();
  try {
    await rescreenOne(kycCase, await currentScreening(now), report, now, requestedBy);
  } catch (error) {
    await audit("failed").catch((auditError: unknown) =>
      log.error("checks.retry_not_audited", { caseId: kycCase.id, ...errorFacts(auditError) }),
    );
    throw error;
  }
  if (report.screened === 0)
    await audit(report.unscreened.length > 0 ? "unscreened" : "already_screened");
  return report;
}

/**
 * What `npm run lists:import` and the schedule do: import the lists, and when any changed, or an
 * earlier re-screening did not finish, re-screen the traders it concerns against the new lists. URL
 * fetches follow SANCTIONS_LIST_ALLOW_PRIVATE unless the caller says otherwise.
 */
export async function importListsAndRescreen(
  files: readonly string[],
  now = new Date(),
  options: ImportOptions = {},
): Promise<{ lists: ListImport[]; rescreen: RescreenReport | null; leftover: string[] }> {
  const lists = await importListFiles(files, now, {
    allowPrivate: env().lists.allowPrivate,
    ...options,
  });
  const leftover = await leftoverLists(files);
  if (!lists.some((l) => l.status === "replaced") && !(await rescreenPending(now)))
    return { lists, rescreen: null, leftover };
  return { lists, rescreen: await rescreenTraders(now), leftover };
}

/**
 * Stored lists that none of these locations names: left by a file renamed or taken out of
 * SANCTIONS_LIST_PATH. They still screen, but nothing updates them, so they go stale, and a stale
 * list stops the checks' automatic approval: `npm run lists:remove` takes one out.
 */
async function leftoverLists(locations: readonly string[]): Promise<string[]> {
  const configured = new Set(locations.map(sourceName));
  return (await listScreeningLists()).map((l) => l.source).filter((s) => !configured.has(s));
}

export type ListRemoval = { source: string; entries: number; rescreen: RescreenReport };

/**
 * What `npm run lists:remove` does: takes a list no longer in SANCTIONS_LIST_PATH out of
 * screening, audited, then re-screens the cases it concerns against the lists left. Fewer entries
 * find no new match, but the versions in force changed: a submission awaiting its decision is
 * approved only on a screening against them (roundScreenedOnCurrentLists), so without this run it
 * would wait for the next import. Refused: a list still configured (the next import would bring
 * it back), the only list stored (nobody would be screened), and a process without
 * SANCTIONS_LIST_PATH (nothing to compare with).
 */
export async function removeListAndRescreen(
  source: string,
  configured: readonly string[],
  now = new Date(),
): Promise<ListRemoval> {
  // Without the configuration to compare with, a list still in force could be taken out.
  if (configured.length === 0)
    throw new AppError(
      "CONFLICT",
      "SANCTIONS_LIST_PATH is not set: run lists:remove with the configuration the imports use",
    );
  if (configured.some((location) => sourceName(location) === source))
    throw new AppError(
      "CONFLICT",
      `${source} is in SANCTIONS_LIST_PATH: take it out of the configuration first, or the next import brings it back`,
    );
  const stored = (await listScreeningLists()).map((l) => l.source);
  // With no list left, every submission would count as screened on the lists in force.
  if (stored.length === 1 && stored[0] === source)
    throw new AppError(
      "CONFLICT",
      `${source} is the only list stored: import its replacement first, then remove it`,
    );
  const removed = await removeScreeningList(source, (list) => ({
    actorType: "system",
    actorId: "lists",
    action: "screening.list_removed",
    occurredAt: now,
    data: { source, version: list.version, entries: list.entryCount },
  }));
  if (!removed)
    throw new AppError(
      "NOT_FOUND",
      `no list named ${source} (stored: ${stored.length > 0 ? stored.join(", ") : "none"})`,
    );
  log.warn("screening.list_removed", { source, entries: removed.entryCount });
  return { source, entries: removed.entryCount, rescreen: await rescreenTraders(now) };
}
