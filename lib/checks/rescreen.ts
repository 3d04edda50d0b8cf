/**
 * Re-screening (ongoing monitoring): when a list changes, every trader whose latest case has an
 * approval in force (approved, or an upgrade of it open) is screened again against the new lists
 * (not one whose business relationship ended: lib/db/queries/ended-relationship.ts). Each is stored
 * as a `rescreen` run with the screening result. A likely match this case has not had before
 * reaches a person, in one transaction: an open monitoring task on the case (the queue's
 * "monitoring hit" filter), the risk raised to high and escalated, an audit event, and a
 * `case.monitoring_hit` outbox event to the CRM webhook and the cTrader account adapter, which
 * applies the `monitoring_hit` access rights (default CLOSE_ONLY) until someone decides. The case's
 * status is not changed automatically: taking back an approval is a person's decision
 * (lib/review/decisions.ts revoke).
 *
 * What is screened is what the approval in force rests on: an approved case's answers, or, while
 * an upgrade (or early renewal) is open, the answers of the round that approval decided
 * (lib/kyc/upgrade.ts approvedInputs), never the draft the trader is editing meanwhile.
 *
 * A run covers the approved traders not yet screened against the current list versions, so a
 * run cut off midway (a crash, a deploy, the cron route's time limit) is finished by the next
 * one, even when the lists have not changed since: nobody is left out, nobody screened twice.
 * A case with no personal data to screen is not stored as screened: it is logged, audited and
 * reported (`unscreened`), and stays pending, so every later import tries it again.
 */
import {
  listCasesToRescreen,
  listScreeningEvidence,
  recordRescreenRun,
} from "@/lib/db/queries/checks";
import { listScreeningLists } from "@/lib/db/queries/screening-lists";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { listCaseEvents } from "@/lib/db/queries/cases";
import type { KycCase } from "@/lib/db/schema";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { approvedInputs } from "@/lib/kyc/upgrade";
import { importListFiles, type ImportOptions, type ListImport } from "@/lib/screening/import";
import { getScreeningIndex, invalidateScreeningIndex } from "@/lib/screening/store";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildMonitoringHit, CASE_MONITORING_HIT } from "@/lib/delivery/payload";
import { checkScreening, type CheckContext } from "./checks";
import { countedScreeningHits, hitKey, screeningHits, type StoredHit } from "./evidence";
import { decideRisk, riskConfig } from "./risk";
import { buildSnapshot } from "./snapshot";

export type RescreenReport = {
  screened: number;
  newHits: { caseId: string; traderId: string; hits: StoredHit[] }[];
  /** Approvals in force that could not be screened (no personal data): still pending. */
  unscreened: { caseId: string; traderId: string }[];
};

type CaseToRescreen = Pick<KycCase, "id" | "traderId" | "level" | "status" | "approvedLevel">;

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

function likelyKeys(evidence: unknown): string[] {
  return screeningHits(evidence)
    .filter((h) => h.level === "likely")
    .map(hitKey);
}

const versionsOf = (lists: { source: string; version: string }[]) =>
  Object.fromEntries(lists.map((l) => [l.source, l.version]));

/** Whether some approved trader has not been screened against the current lists yet. */
async function rescreenPending(now: Date): Promise<boolean> {
  const lists = await listScreeningLists();
  return lists.length > 0 && (await listCasesToRescreen(versionsOf(lists), now)).length > 0;
}

export async function rescreenApprovedTraders(now = new Date()): Promise<RescreenReport> {
  invalidateScreeningIndex();
  const loaded = await getScreeningIndex();
  const config = riskConfig();
  const ctx: CheckContext = {
    now,
    minAge: env().checks.minAge,
    config,
    screening: loaded.index.entries.length > 0 ? loaded : null,
  };
  const report: RescreenReport = { screened: 0, newHits: [], unscreened: [] };
  // No list, nothing to screen against (the index's versions are empty).
  const cases =
    Object.keys(loaded.versions).length > 0 ? await listCasesToRescreen(loaded.versions, now) : [];
  for (const kycCase of cases) {
    const answers = await answersInForce(kycCase);
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
    if (!("lists" in result.evidence)) {
      // Fail closed: a compliance officer reads a stored run as "screened against these lists".
      report.unscreened.push({ caseId: kycCase.id, traderId: kycCase.traderId });
      log.error("screening.rescreen_unscreened", { caseId: kycCase.id, status: kycCase.status });
      await appendAuditEvent({
        actorType: "system",
        actorId: "checks",
        action: "screening.rescreen_unscreened",
        caseId: kycCase.id,
        traderId: kycCase.traderId,
        occurredAt: now,
        data: { reason: "no_personal_data", lists: loaded.versions },
      });
      continue;
    }
    const seen = new Set((await listScreeningEvidence(kycCase.id)).flatMap(likelyKeys));
    const fresh = screeningHits(result.evidence).filter(
      (h) => h.level === "likely" && !seen.has(hitKey(h)),
    );
    const decision = decideRisk([result], config, false);
    const newHits = fresh.map((h) => ({ source: h.source, entryId: h.entryId, score: h.score }));
    await recordRescreenRun({
      caseId: kycCase.id,
      traderId: kycCase.traderId,
      record: {
        results: [result],
        ...decision,
        listVersions: loaded.versions,
        screeningHits: countedScreeningHits(result.evidence),
      },
      newHits,
      outbox: ({ eventId, sequence, moved, trader }) => ({
        type: CASE_MONITORING_HIT,
        payload: buildMonitoringHit({
          eventId,
          sequence,
          occurredAt: now,
          kycCase: moved,
          trader,
          hits: newHits,
        }),
        destinations: destinationIdsFor(CASE_MONITORING_HIT),
      }),
      now,
    });
    report.screened += 1;
    if (fresh.length > 0) {
      report.newHits.push({ caseId: kycCase.id, traderId: kycCase.traderId, hits: fresh });
      log.warn("screening.rescreen_hit", { caseId: kycCase.id, hits: fresh.length });
    }
  }
  return report;
}

/**
 * What `npm run lists:import` and the schedule do: import the lists, and when any changed, or an
 * earlier re-screening did not finish, re-screen the approved traders against the new lists. URL
 * fetches follow SANCTIONS_LIST_ALLOW_PRIVATE unless the caller says otherwise.
 */
export async function importListsAndRescreen(
  files: readonly string[],
  now = new Date(),
  options: ImportOptions = {},
): Promise<{ lists: ListImport[]; rescreen: RescreenReport | null }> {
  const lists = await importListFiles(files, now, {
    allowPrivate: env().lists.allowPrivate,
    ...options,
  });
  if (!lists.some((l) => l.status === "replaced") && !(await rescreenPending(now)))
    return { lists, rescreen: null };
  return { lists, rescreen: await rescreenApprovedTraders(now) };
}
