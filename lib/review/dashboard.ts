/**
 * The head of compliance's overview: the figures of a period, counted in the database (the
 * count* reads: the page stays fast at 50,000 cases), and the CSV export of the rows behind each
 * figure (the list* reads, which the counts must agree with).
 *
 * Definitions (also in docs/console.md):
 * - Cases by status and level: cases opened in the period, by their status now.
 * - Waiting time: every case waiting for a person now, since its latest submit or resubmit (as
 *   the queue counts it); a breach is a wait of REVIEW_TIME_HOURS or more.
 * - Decisions: every staff decision recorded in the period (approve signatures, rejections,
 *   requests for information, hit verdicts, reopenings), per person and UTC day.
 * - Auto-approve rate: approvals by the automated checks ÷ all approvals in the period.
 *   Rejection rate: rejections ÷ (approvals + rejections) in the period; top reasons from the
 *   rejections.
 * - Screening hit rate: submission screenings in the period with at least one hit at review or
 *   likely level ÷ submission screenings that had a list to screen against. False-positive
 *   rate: hits the period's verdicts cleared ÷ hits they settled (cleared or confirmed), by the
 *   rule of `hitState` (a likely hit cleared by one person, or by two without an approver,
 *   awaits a second and is not settled; it is counted apart).
 * - Monitoring hits open, delivery backlog and dead deliveries, list age: as they stand now. A
 *   delivery's state (waiting, sending, failing, dead) is the deliveries page's
 *   (deliveryStateSql in lib/db/queries/outbox.ts), in the figures and the CSV alike.
 */
import { z } from "zod";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import {
  countCasesOpenedIn,
  countDecisionsIn,
  countJudgedHitsIn,
  countOpenMonitoringTasks,
  countOutcomesIn,
  countSubmissionScreeningsIn,
  countUndeliveredDeliveries,
  listCasesOpenedIn,
  listDecisionsIn,
  listOpenMonitoringTasks,
  listOutcomesIn,
  listScreeningListVersions,
  listSubmissionScreeningsIn,
  listUndeliveredDeliveries,
  listWaitingCases,
  countWaitingByTime,
  type Period,
} from "@/lib/db/queries/dashboard";
import { SCREENING_JUDGMENTS } from "@/lib/db/queries/review";
import { staffRole, type StaffRole } from "@/lib/db/schema";
import {
  hitKey,
  isCountedHit,
  screeningEvidenceSchema,
  type StoredHit,
} from "@/lib/checks/evidence";
import { csvLine } from "@/lib/csv";
import { AppError } from "@/lib/errors";
import { hasRole } from "@/lib/staff/auth";
import { riskFromEarlierRound } from "./risk";
import { hitState, type HitJudgment } from "./screening-hits";
import { verdictLevel } from "./screening-verdict";

/** The head of compliance is an approver or an admin; reviewers work the queue. */
export const DASHBOARD_ROLE: StaffRole = "approver";

const DAY = 86_400_000;
export const DEFAULT_PERIOD_DAYS = 30;
export const MAX_PERIOD_DAYS = 366;

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && dayOf(new Date(`${s}T00:00:00Z`)) === s,
  );

/** The period in the URL (`from`, `to`: UTC days, both included). Bad input falls back. */
export const dashboardQuerySchema = z.object({
  from: isoDay.optional().catch(undefined),
  to: isoDay.optional().catch(undefined),
});

export type DashboardPeriod = Period & { fromDay: string; toDay: string; days: number };

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The period a query asks for: `to` defaults to today (UTC), `from` to 30 days up to `to`. A
 * `from` after `to` or a period longer than a year falls back to the default start.
 */
export function parseDashboardPeriod(query: unknown, now = new Date()): DashboardPeriod {
  const parsed = dashboardQuerySchema.safeParse(query ?? {});
  const q = parsed.success ? parsed.data : {};
  const toDay = q.to ?? dayOf(now);
  const to = new Date(`${toDay}T00:00:00Z`);
  const defaultFrom = new Date(to.getTime() - (DEFAULT_PERIOD_DAYS - 1) * DAY);
  let from = q.from ? new Date(`${q.from}T00:00:00Z`) : defaultFrom;
  const days = Math.round((to.getTime() - from.getTime()) / DAY) + 1;
  if (days < 1 || days > MAX_PERIOD_DAYS) from = defaultFrom;
  return {
    from,
    until: new Date(to.getTime() + DAY),
    fromDay: dayOf(from),
    toDay,
    days: Math.round((to.getTime() - from.getTime()) / DAY) + 1,
  };
}

function requireDashboardRole(staff: { role: StaffRole }): void {
  if (!hasRole(staff, DASHBOARD_ROLE))
    throw new AppError("FORBIDDEN", "only approvers and admins see the dashboard");
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/**
 * Waiting-time buckets as fractions of the promised review time: the last two are breaches. The
 * page names each from its key and edges (hours) in the officer's language.
 */
export function waitingBuckets(reviewTimeHours: number) {
  const t = reviewTimeHours;
  return [
    { key: "quarter", min: 0, max: t / 4, breach: false },
    { key: "half", min: t / 4, max: t / 2, breach: false },
    { key: "due", min: t / 2, max: t, breach: false },
    { key: "late", min: t, max: 2 * t, breach: true },
    { key: "very_late", min: 2 * t, max: Infinity, breach: true },
  ] as const;
}
export type WaitingBucketKey = ReturnType<typeof waitingBuckets>[number]["key"];

export type DashboardFigures = Awaited<ReturnType<typeof loadDashboard>>;

/** Every figure of the dashboard for the period (approvers and admins). */
export async function loadDashboard(
  staff: { role: StaffRole },
  period: DashboardPeriod,
  reviewTimeHours: number,
  now = new Date(),
) {
  requireDashboardRole(staff);
  const [cases, waiting, decisions, outcomes, screenings, judged, monitoring, deliveries, lists] =
    await Promise.all([
      countCasesOpenedIn(period),
      countWaitingByTime(
        now,
        waitingBuckets(reviewTimeHours)
          .slice(1)
          .map((b) => b.min),
        reviewTimeHours,
      ),
      countDecisionsIn(period),
      countOutcomesIn(period),
      countSubmissionScreeningsIn(period),
      countJudgedHitsIn(period),
      countOpenMonitoringTasks(),
      countUndeliveredDeliveries(),
      listScreeningListVersions(),
    ]);

  const statuses = [...new Set(cases.map((c) => c.status))].sort();
  const levels = [...new Set(cases.map((c) => c.level))].sort();
  const casesByStatus = statuses.map((status) => {
    const rows = cases.filter((c) => c.status === status);
    return {
      status,
      total: sum(rows.map((r) => r.cases)),
      byLevel: Object.fromEntries(
        levels.map((l) => [l, sum(rows.filter((r) => r.level === l).map((r) => r.cases))]),
      ),
    };
  });

  const distribution = waitingBuckets(reviewTimeHours).map((b, i) => ({
    key: b.key,
    min: b.min,
    max: Number.isFinite(b.max) ? b.max : null,
    breach: b.breach,
    cases: waiting.buckets[i] ?? 0,
  }));

  const reviewers = [...new Set(decisions.map((d) => d.reviewer))].sort();
  const days = [...new Set(decisions.map((d) => d.day))].sort();
  const decisionsPerReviewer = reviewers.map((name) => {
    const rows = decisions.filter((d) => d.reviewer === name);
    return {
      reviewer: name,
      total: sum(rows.map((r) => r.decisions)),
      perDay: Object.fromEntries(
        days.map((day) => [day, sum(rows.filter((r) => r.day === day).map((r) => r.decisions))]),
      ),
    };
  });

  const outcomeCount = (pick: (o: (typeof outcomes)[number]) => boolean) =>
    sum(outcomes.filter(pick).map((o) => o.events));
  const approvals = outcomeCount((o) => o.outcome === "approved");
  const rejections = outcomeCount((o) => o.outcome === "rejected");
  const autoApprovals = outcomeCount((o) => o.outcome === "approved" && !o.byStaff);
  const reasons = new Map<string, number>();
  for (const o of outcomes.filter((o) => o.outcome === "rejected")) {
    const reason = o.reasonCode ?? "unknown";
    reasons.set(reason, (reasons.get(reason) ?? 0) + o.events);
  }
  const topReasons = [...reasons]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
    .slice(0, 5);

  const { screened, withHit } = screenings;
  const falsePositives = judged.cleared;
  const settled = judged.cleared + judged.confirmed;

  return {
    period,
    now,
    reviewTimeHours,
    cases: { total: sum(cases.map((c) => c.cases)), levels, byStatus: casesByStatus },
    waiting: { total: waiting.total, breaches: waiting.breaches, distribution },
    decisions: {
      total: sum(decisions.map((d) => d.decisions)),
      days,
      perReviewer: decisionsPerReviewer,
    },
    outcomes: {
      approvals,
      autoApprovals,
      rejections,
      actionRequests: outcomeCount((o) => o.outcome === "action_required"),
      autoApproveRate: ratio(autoApprovals, approvals),
      rejectionRate: ratio(rejections, approvals + rejections),
      topReasons,
    },
    screening: {
      screened,
      withHit,
      hitRate: ratio(withHit, screened),
      judged: settled,
      falsePositives,
      falsePositiveRate: ratio(falsePositives, settled),
      awaitingSecond: judged.awaitingSecond,
    },
    monitoring: { open: monitoring },
    deliveries: {
      backlog: deliveries.waiting + deliveries.sending + deliveries.failing,
      ...deliveries,
    },
    lists: lists.map((l) => ({
      source: l.source,
      importedAt: l.importedAt,
      ageHours: Math.max(0, Math.floor((now.getTime() - l.importedAt.getTime()) / 3_600_000)),
      entries: l.entryCount,
    })),
  };
}

type DecisionRow = Awaited<ReturnType<typeof listDecisionsIn>>[number];

/** Each hit (case and list entry) judged in the period, and what its verdicts add up to. */
function judgedHits(decisions: readonly DecisionRow[]) {
  const byHit = new Map<
    string,
    {
      caseId: string;
      hitKey: string;
      level: StoredHit["level"];
      judgments: Pick<HitJudgment, "staffId" | "verdict" | "at" | "role">[];
    }
  >();
  for (const d of decisions) {
    if (!(SCREENING_JUDGMENTS as readonly string[]).includes(d.decision) || !d.hitKey) continue;
    const key = `${d.caseId}|${d.hitKey}`;
    const level = verdictLevel(d.hitLevel);
    const hit = byHit.get(key) ?? { caseId: d.caseId, hitKey: d.hitKey, level, judgments: [] };
    // Any verdict that counts the hit as likely makes it one: two people clear it, never one.
    if (level === "likely") hit.level = "likely";
    hit.judgments.push({
      staffId: d.staffId,
      verdict: d.decision === "screening_confirmed" ? "confirmed" : "false_positive",
      at: d.at,
      role: staffRole.enumValues.find((r) => r === d.hitJudgeRole),
    });
    byHit.set(key, hit);
  }
  return [...byHit.values()].map((h) => {
    const state = hitState(h.level, h.judgments);
    return {
      caseId: h.caseId,
      hitKey: h.hitKey,
      verdict:
        state === "confirmed"
          ? ("confirmed" as const)
          : state === "cleared"
            ? ("false_positive" as const)
            : ("awaiting_second" as const),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// CSV export

export const DASHBOARD_FIGURES = [
  "cases",
  "waiting",
  "decisions",
  "outcomes",
  "screening",
  "monitoring",
  "deliveries",
  "lists",
] as const;
export type DashboardFigure = (typeof DASHBOARD_FIGURES)[number];
export const dashboardFigureSchema = z.enum(DASHBOARD_FIGURES);

type Cell = string | number | boolean | Date | null | undefined;

/** The export's CSV: formula-safe cells (lib/csv.ts), CRLF lines, the header first. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map(csvLine).join("");
}

async function figureRows(
  figure: DashboardFigure,
  period: DashboardPeriod,
  reviewTimeHours: number,
  now: Date,
): Promise<{ header: string[]; rows: Cell[][] }> {
  switch (figure) {
    case "cases": {
      const rows = await listCasesOpenedIn(period);
      return {
        // The mark the queue shows beside the risk ("previous round"), last so that the columns
        // before it keep their places for readers that take them by position.
        header: [
          "case_id",
          "level",
          "status",
          "trigger",
          "risk",
          "opened_at",
          "risk_from_earlier_round",
        ],
        rows: rows.map((r) => [
          r.caseId,
          r.level,
          r.status,
          r.trigger,
          r.riskLevel,
          r.openedAt,
          riskFromEarlierRound(r, !r.checksPending, r.rescreenHitAt),
        ]),
      };
    }
    case "waiting": {
      const rows = await listWaitingCases();
      return {
        header: ["case_id", "level", "status", "waiting_since", "waiting_hours", "sla_breached"],
        rows: rows.map((r) => {
          const hours = (now.getTime() - r.waitingSince.getTime()) / 3_600_000;
          return [
            r.caseId,
            r.level,
            r.status,
            r.waitingSince,
            hours.toFixed(1),
            hours >= reviewTimeHours,
          ];
        }),
      };
    }
    case "decisions": {
      const rows = await listDecisionsIn(period);
      return {
        header: ["decision_id", "case_id", "staff", "decision", "reason", "hit", "at"],
        rows: rows.map((r) => [
          r.decisionId,
          r.caseId,
          r.staffName,
          r.decision,
          r.reasonCode,
          r.hitKey,
          r.at,
        ]),
      };
    }
    case "outcomes": {
      const rows = await listOutcomesIn(period);
      return {
        header: ["case_id", "level", "status", "by", "auto_approved", "reason", "at"],
        rows: rows.map((r) => [
          r.caseId,
          r.level,
          r.outcome,
          r.actorType === "staff" ? "staff" : r.actorId,
          r.outcome === "approved" && r.actorType !== "staff",
          r.reasonCode,
          r.at,
        ]),
      };
    }
    case "screening": {
      const [runs, decisions] = await Promise.all([
        listSubmissionScreeningsIn(period),
        listDecisionsIn(period),
      ]);
      const rows: Cell[][] = [];
      for (const run of runs) {
        const parsed = screeningEvidenceSchema.safeParse(run.evidence);
        const hits = parsed.success && "hits" in parsed.data ? parsed.data.hits : [];
        const counted = hits.filter(isCountedHit);
        rows.push([
          "screening",
          run.caseId,
          parsed.success && "hits" in parsed.data ? counted.length : "not screened",
          counted.map(hitKey).join(" "),
          run.at,
        ]);
      }
      for (const hit of judgedHits(decisions))
        rows.push(["judgment", hit.caseId, hit.verdict, hit.hitKey, null]);
      return { header: ["row", "case_id", "hits_or_verdict", "hit", "at"], rows };
    }
    case "monitoring": {
      const rows = await listOpenMonitoringTasks();
      return {
        header: ["case_id", "opened_at", "kind"],
        rows: rows.map((r) => [r.caseId, r.openedAt, r.kind]),
      };
    }
    case "deliveries": {
      const rows = await listUndeliveredDeliveries();
      return {
        header: [
          "delivery_id",
          "case_id",
          "event",
          "destination",
          "status",
          "attempts",
          "last_error",
          "next_attempt_at",
        ],
        rows: rows.map((r) => [
          r.deliveryId,
          r.caseId,
          r.eventType,
          r.destination,
          r.state,
          r.attempts,
          r.lastError,
          r.status === "dead" ? null : r.nextAttemptAt,
        ]),
      };
    }
    case "lists": {
      const rows = await listScreeningListVersions();
      return {
        header: ["source", "version", "imported_at", "age_hours", "entries"],
        rows: rows.map((r) => [
          r.source,
          r.version,
          r.importedAt,
          Math.max(0, Math.floor((now.getTime() - r.importedAt.getTime()) / 3_600_000)),
          r.entryCount,
        ]),
      };
    }
  }
}

/**
 * The rows behind one figure as CSV, for approvers and admins; audited (who, which figure, which
 * period, how many rows) before anything is sent.
 */
export async function exportDashboardFigure(
  staff: { id: string; role: StaffRole },
  figure: DashboardFigure,
  period: DashboardPeriod,
  reviewTimeHours: number,
  now = new Date(),
): Promise<{ filename: string; csv: string }> {
  requireDashboardRole(staff);
  const { header, rows } = await figureRows(figure, period, reviewTimeHours, now);
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: "dashboard.exported",
    data: { figure, from: period.fromDay, to: period.toDay, rows: rows.length },
    occurredAt: now,
  });
  return {
    filename: `${figure}-${period.fromDay}-to-${period.toDay}.csv`,
    csv: toCsv(header, rows),
  };
}
