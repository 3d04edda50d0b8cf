/**
 * Re-screening: when a list changes, every trader whose latest case is approved is screened
 * again against the new lists. Each is stored as a `rescreen` run with the screening result. A
 * likely match this case has not had before is recorded (audit `screening.rescreen_hit`, and
 * `case_risk` flagged: escalated, high, rescreen_hit_at) for the console; the approved case's
 * status is not changed automatically: taking back an approval is a person's decision.
 */
import {
  listLatestApprovedCases,
  listScreeningEvidence,
  recordRescreenRun,
} from "@/lib/db/queries/checks";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { importListFiles, type ListImport } from "@/lib/screening/import";
import { getScreeningIndex, invalidateScreeningIndex } from "@/lib/screening/store";
import { checkScreening, type CheckContext, type StoredHit } from "./checks";
import { decideRisk, riskConfig } from "./risk";
import { buildSnapshot } from "./snapshot";

export type RescreenReport = {
  screened: number;
  newHits: { caseId: string; traderId: string; hits: StoredHit[] }[];
};

function likelyKeys(evidence: Record<string, unknown>): string[] {
  const hits = Array.isArray(evidence.hits) ? (evidence.hits as Partial<StoredHit>[]) : [];
  return hits.filter((h) => h.level === "likely").map((h) => `${h.source}:${h.entryId}`);
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
  const report: RescreenReport = { screened: 0, newHits: [] };
  for (const kycCase of await listLatestApprovedCases()) {
    const drafts = await loadStepDrafts(kycCase.id);
    const snapshot = buildSnapshot({
      caseId: kycCase.id,
      traderId: kycCase.traderId,
      level: kycCase.level,
      drafts,
      documents: [],
    });
    const result = checkScreening(snapshot, ctx);
    const seen = new Set((await listScreeningEvidence(kycCase.id)).flatMap(likelyKeys));
    const hits = (Array.isArray(result.evidence.hits) ? result.evidence.hits : []) as StoredHit[];
    const fresh = hits.filter((h) => h.level === "likely" && !seen.has(`${h.source}:${h.entryId}`));
    const decision = decideRisk([result], config, false);
    await recordRescreenRun({
      caseId: kycCase.id,
      traderId: kycCase.traderId,
      record: { results: [result], ...decision, listVersions: loaded.versions },
      newHits: fresh.map((h) => ({ source: h.source, entryId: h.entryId, score: h.score })),
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
 * What `npm run lists:import` does: imports the files, and when any list changed, re-screens
 * the approved traders against the new lists.
 */
export async function importListsAndRescreen(
  files: readonly string[],
  now = new Date(),
): Promise<{ lists: ListImport[]; rescreen: RescreenReport | null }> {
  const lists = await importListFiles(files, now);
  if (!lists.some((l) => l.status === "replaced")) return { lists, rescreen: null };
  return { lists, rescreen: await rescreenApprovedTraders(now) };
}
