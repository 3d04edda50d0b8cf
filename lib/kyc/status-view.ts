/**
 * What the status screen shows, computed from the case: the timeline, the reviewer's message
 * when something is needed, the document checklist, and whether a review time applies.
 */
import { getRecentReviewMedian, listCaseEvents } from "@/lib/db/queries/cases";
import type { KycCase } from "@/lib/db/schema";
import { awaitingDecision, isMove, PERIODIC_REVIEW_CLOSED_EVENT } from "./case-state";
import { getLevel, type Level } from "./levels";
import type { DocumentRequirement } from "./requirements";
import { renewalNotice, type RenewalNotice } from "./renewal";
import { loadCaseProgress, loadRejection, type Rejection } from "./submission";
import { nextStepKey, traderPhase, type NextStepKey, type TraderPhase } from "./trader-view";
import { declineUpgradeData } from "./case-event-data";

export type TimelineEntry = { event: string; at: Date };
export type DocumentCheck = Pick<DocumentRequirement, "documentType" | "side" | "state" | "reason">;

/**
 * The reviewer's "no" to an upgrade or an early renewal, while the approval it left in force is
 * the case's latest word: the trader is told what was refused and that the approval stands.
 */
export type DeclinedChange = {
  /** `lapsed`: no reviewer's "no", the upgrade was left unfinished past the draft period. */
  kind: "upgrade" | "renewal" | "lapsed";
  /** The level asked for (the approved level itself for a renewal). */
  declinedLevel: string;
  /** The level in force. */
  level: string;
  reasonCode: string;
};

export type StatusView = {
  /** Where the trader stands (lib/kyc/trader-view.ts). */
  phase: TraderPhase;
  /** What the trader does next (lib/kyc/trader-view.ts). */
  next: NextStepKey;
  rejection: Rejection | null;
  declined: DeclinedChange | null;
  /** The identity document expires soon or has expired (lib/kyc/renewal.ts). */
  renewal: RenewalNotice | null;
  /** The account limits of the case's level (lib/kyc/levels.ts), as the trader is told. */
  limits: Level["limits"];
  timeline: TimelineEntry[];
  requiredAction: string | null;
  documents: DocumentCheck[];
  awaitingReview: boolean;
  /** What to promise while the case waits: the recent median when there is enough history. */
  reviewTimeHours: number;
};

/** Fewer recent reviews than this and the median says little: the configured time is used. */
export const MIN_REVIEWS_FOR_MEDIAN = 10;
const MEDIAN_WINDOW_DAYS = 30;

export async function expectedReviewHours(configured: number, now = new Date()): Promise<number> {
  const since = new Date(now.getTime() - MEDIAN_WINDOW_DAYS * 86_400_000);
  const { medianSeconds, reviews } = await getRecentReviewMedian(since);
  if (medianSeconds === null || reviews < MIN_REVIEWS_FOR_MEDIAN) return configured;
  return Math.max(1, Math.ceil(medianSeconds / 3600));
}

/**
 * The word the trader reads for an event: a declined early renewal is the state machine's
 * `decline_upgrade` (back to the approval in force), but to the trader it was a renewal; one the
 * retention purge made was no decision at all, the upgrade ran out of time.
 */
function timelineWord(e: { event: string; data: unknown }): string {
  if (e.event !== "decline_upgrade") return e.event;
  // Unreadable data reads as the plain decline: the word is still true, only less precise.
  const data = declineWordData.safeParse(e.data);
  if (!data.success) return e.event;
  if (data.data.lapsed === true) return "lapse_upgrade";
  return data.data.renewal === true ? "decline_renewal" : e.event;
}

/** All the timeline's word needs of a decline: an older or partial row still gets its word. */
const declineWordData = declineUpgradeData.pick({ renewal: true, lapsed: true });

function declinedChange(
  kycCase: Pick<KycCase, "status" | "level">,
  events: readonly { event: string; data: unknown }[],
): DeclinedChange | null {
  if (kycCase.status !== "approved") return null;
  const latest = events.findLast((e) => isMove(e.event));
  if (latest?.event !== "decline_upgrade") return null;
  const data = declineDataSchema.safeParse(latest.data);
  if (!data.success) return null;
  return {
    kind: data.data.lapsed === true ? "lapsed" : data.data.renewal === true ? "renewal" : "upgrade",
    declinedLevel: data.data.fromLevel,
    level: kycCase.level,
    reasonCode: data.data.reasonCode,
  };
}

/** Events stored before `restoredRound` was recorded are read too. */
const declineDataSchema = declineUpgradeData.pick({
  reasonCode: true,
  fromLevel: true,
  renewal: true,
  lapsed: true,
});

/**
 * The median changes slowly and costs a scan of recent events: every status render shares one
 * answer per process for a few minutes.
 */
const REVIEW_HOURS_TTL_MS = 5 * 60_000;
let reviewHoursCache: { configured: number; until: number; hours: number } | undefined;

async function cachedExpectedReviewHours(configured: number, now: Date): Promise<number> {
  const cached = reviewHoursCache;
  if (cached && cached.configured === configured && cached.until > now.getTime())
    return cached.hours;
  const hours = await expectedReviewHours(configured, now);
  reviewHoursCache = { configured, until: now.getTime() + REVIEW_HOURS_TTL_MS, hours };
  return hours;
}

export async function statusView(
  kycCase: KycCase,
  configuredReviewHours: number,
  now = new Date(),
): Promise<StatusView> {
  // One read of the timeline serves both the timeline and the action request.
  const timeline = listCaseEvents(kycCase.id);
  const [events, progress, rejection] = await Promise.all([
    timeline,
    loadCaseProgress(kycCase, { now, timeline }),
    kycCase.status === "rejected" ? loadRejection(kycCase) : null,
  ]);
  const awaitingReview = awaitingDecision(kycCase);
  const phase = traderPhase(kycCase, progress, rejection);
  return {
    phase,
    next: nextStepKey(phase, progress),
    rejection,
    declined: declinedChange(
      kycCase,
      [...events].sort((a, b) => a.id - b.id),
    ),
    renewal: renewalNotice(kycCase),
    limits: getLevel(kycCase.level).limits,
    timeline: [
      { event: "opened", at: kycCase.openedAt },
      // The closing of a reviewer's task is the broker's internal history, not the trader's.
      ...events
        .filter((e) => e.event !== PERIODIC_REVIEW_CLOSED_EVENT)
        .map((e) => ({ event: timelineWord(e), at: e.occurredAt })),
    ],
    requiredAction:
      kycCase.status === "action_required" ? (progress.request?.message ?? null) : null,
    documents: [
      ...progress.requirements.steps.flatMap((s) => s.documents),
      ...progress.requirements.otherDocuments,
    ].map(({ documentType, side, state, reason }) => ({ documentType, side, state, reason })),
    awaitingReview,
    reviewTimeHours: awaitingReview
      ? await cachedExpectedReviewHours(configuredReviewHours, now)
      : configuredReviewHours,
  };
}
