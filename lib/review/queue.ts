/**
 * The review queue as the console shows it: which statuses each tab lists, and the filters,
 * search, sort and page a reviewer sets in the URL. The URL is parsed by one schema
 * (`queueParamsSchema`) that the page's links are written from too; a value it does not accept
 * falls back to its default, so a hand-edited URL shows a queue, never an error.
 */
import { z } from "zod";
import {
  assignCases,
  claimNextCase,
  listLatestSubmissions,
  listQueue,
  QUEUE_SORTS,
  type QueueRow,
  type QueueSeek,
} from "@/lib/db/queries/queue";
import type { CaseStatus } from "@/lib/db/schema";
import { listActiveStaff } from "@/lib/db/queries/staff";
import { env } from "@/lib/env";
import { APPROVAL_IN_FORCE_STATUSES } from "@/lib/kyc/case-state";
import { levelsConfig } from "@/lib/kyc/levels";
import { CASE_STATUSES } from "@/lib/kyc/statuses";
import { hasRole } from "@/lib/staff/auth";
import { riskFromEarlierRound } from "./risk";
import { readRoundAnswers } from "./round-answers";
import { latinReading, nameOfAnswers, parseSearch } from "./search";
import type { Reviewer } from "./types";

export const QUEUES = {
  review: ["submitted", "resubmitted", "in_review"],
  waiting: ["action_required"],
  /** Cases whose approval in force is held (the tab adds that filter). */
  monitoring: APPROVAL_IN_FORCE_STATUSES,
  /** Approved cases due for their periodic review (lib/review/periodic.ts). */
  periodic: ["approved"],
  decided: ["approved", "rejected"],
  /** Cases the trader has not sent yet: staff may still reject one (fraud, a duplicate). */
  drafts: ["draft"],
} as const satisfies Record<string, readonly CaseStatus[]>;
export type QueueName = keyof typeof QUEUES;

/**
 * Whether a case waits for a person (the review tab's statuses): the review time
 * (`REVIEW_TIME_HOURS`) runs for it alone, not while the trader answers a request nor once it is
 * decided, as the dashboard counts SLA breaches.
 */
export function awaitsReview(status: CaseStatus): boolean {
  return (QUEUES.review as readonly CaseStatus[]).includes(status);
}

/** Rows per page an officer may choose (`per`); the first page of a busy queue is 50. */
export const QUEUE_PAGE_SIZES = [10, 25, 50, 100] as const;
export const QUEUE_PAGE_SIZE = 50;
/** The most cases one bulk claim takes: a whole page at the largest size. */
export const QUEUE_MAX_PAGE_SIZE = 100;
export const QUEUE_TRIGGERS = [
  "first_deposit",
  "account_creation",
  "compliance_notice",
  "manual",
] as const;

export type QueueQuery = Record<string, string | string[] | undefined>;

const flag = z.literal("1").optional().catch(undefined);
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const field = <T extends z.ZodType>(schema: T) => z.preprocess(first, schema);

const queueNameSchema = z.enum(Object.keys(QUEUES) as [QueueName, ...QueueName[]]);

export const queueParamsSchema = z.object({
  queue: field(queueNameSchema.catch("review")),
  q: field(z.string().trim().max(200).optional().catch(undefined)),
  status: field(z.enum(CASE_STATUSES).optional().catch(undefined)),
  level: field(
    z
      .string()
      .regex(/^[a-z0-9_-]{1,40}$/)
      .optional()
      .catch(undefined),
  ),
  risk: field(z.enum(["low", "medium", "high"]).optional().catch(undefined)),
  trigger: field(z.enum(QUEUE_TRIGGERS).optional().catch(undefined)),
  /** "me", "unassigned" or a staff id. */
  assignee: field(
    z
      .union([z.enum(["me", "unassigned"]), z.uuid()])
      .optional()
      .catch(undefined),
  ),
  minHours: field(z.coerce.number().int().min(1).max(8760).optional().catch(undefined)),
  escalated: field(flag),
  monitoring: field(flag),
  checksFailed: field(flag),
  overdue: field(flag),
  sort: field(z.enum(QUEUE_SORTS).catch("oldest")),
  /**
   * The page's number as shown. Links page by `after` / `before` (a keyset from that case's own
   * row); the number alone, in a hand-written URL, still pages by offset.
   */
  page: field(z.coerce.number().int().min(1).max(10_000).catch(1)),
  /** The cases after this one in the order (the next page's link), or before it (the previous). */
  after: field(z.uuid().optional().catch(undefined)),
  before: field(z.uuid().optional().catch(undefined)),
  per: field(
    z.coerce
      .number()
      .refine((n) => (QUEUE_PAGE_SIZES as readonly number[]).includes(n))
      .catch(QUEUE_PAGE_SIZE),
  ),
});
export type QueueParams = z.infer<typeof queueParamsSchema>;

export function parseQueueParams(q: QueueQuery): QueueParams {
  return queueParamsSchema.parse(q);
}

/** The queue's URL query for these parameters, defaults left out: links, forms, redirects. */
export function queueQuery(params: Partial<QueueParams>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === "") continue;
    if (key === "queue" && value === "review") continue;
    if (key === "sort" && value === "oldest") continue;
    if (key === "page" && value === 1) continue;
    if (key === "per" && value === QUEUE_PAGE_SIZE) continue;
    search.set(key, String(value));
  }
  return search.toString();
}

/** The URL of the queue with these parameters (see queueQuery). */
export function queueHref(params: Partial<QueueParams>): string {
  const text = queueQuery(params);
  return text ? `/admin?${text}` : "/admin";
}

/** What a page or a cursor adds to the queue's filters and order; the rest is the queue's context. */
const PAGING_PARAMS: ReadonlySet<string> = new Set(["page", "after", "before", "per"]);

/**
 * The queue's tab, filters, search and order without its page: what a case opened from the queue
 * carries in its URL, so that its j / k walk the queue the officer was looking at. The tab and
 * the order are always written (first), which marks the URL as coming from the queue.
 */
export function queueContextQuery(params: QueueParams): string {
  const query = new URLSearchParams({ queue: params.queue, sort: params.sort });
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === "" || query.has(key) || PAGING_PARAMS.has(key)) continue;
    query.set(key, String(value));
  }
  return query.toString();
}

/**
 * The queue context a case action's form sends back (`queueQuery`, the queueContextQuery of the
 * page it was on), read again for the action's redirect: through queueParamsSchema, so only the
 * queue's own filters and order return, each a value the queue accepts, and nothing else a forged
 * form adds (an outcome, another URL). "" when it names no queue: the case was not opened from one.
 */
export function queueContextOf(raw: string): string {
  const query = Object.fromEntries(new URLSearchParams(raw));
  if (!queueNameSchema.safeParse(query.queue).success) return "";
  return queueContextQuery(parseQueueParams(query));
}

/**
 * A case page's URL with `query`: the queue it was opened from (queueContextQuery), and what a
 * link or an action adds to it (`add`: its outcome, a prefill).
 */
export function caseHref(caseId: string, query = "", add: Record<string, string> = {}): string {
  const search = new URLSearchParams(query);
  for (const [key, value] of Object.entries(add)) search.set(key, value);
  const q = Object.keys(add).length > 0 ? search.toString() : query;
  return q ? `/admin/cases/${caseId}?${q}` : `/admin/cases/${caseId}`;
}

/** The statuses a queue view lists: the one picked, else its tab's. */
export function queueStatuses(p: Pick<QueueParams, "status" | "queue">): CaseStatus[] {
  return p.status ? [p.status] : [...QUEUES[p.queue]];
}

/** The filter the database query runs for these parameters, for this officer at this time. */
export function queueFilterOf(staff: Pick<Reviewer, "id">, p: QueueParams, now: Date) {
  const { reviewTimeHours } = env();
  const statuses = queueStatuses(p);
  // "Over the review time" means what the overdue mark means: a case waiting for a person. On a
  // tab of cases waiting for the trader or decided it would list cases none of them marked.
  const overdue = p.overdue === "1" && statuses.some(awaitsReview);
  const waitedHours = Math.max(p.minHours ?? 0, overdue ? reviewTimeHours : 0);
  const search = p.q ? parseSearch(p.q) : undefined;
  return {
    statuses: overdue ? statuses.filter(awaitsReview) : statuses,
    level: p.level,
    risk: p.risk,
    trigger: p.trigger,
    assignee: p.assignee === "me" ? staff.id : p.assignee,
    queuedBefore: waitedHours > 0 ? new Date(now.getTime() - waitedHours * 3_600_000) : undefined,
    monitoringHit: p.queue === "monitoring" || p.monitoring === "1",
    periodicReview: p.queue === "periodic",
    escalated: p.escalated === "1",
    checksFailed: p.checksFailed === "1",
    search,
    sort: p.sort,
  } as const;
}

export type QueueEntry = QueueRow & {
  /** The name the trader sent in the latest round, and a Latin reading of it if needed. */
  name?: string;
  latinName?: string;
  /** The latest round's answers do not read: listed without a name, and marked as such. */
  nameUnreadable?: true;
  /** The risk shown is the last round's: this round's checks have not set one yet. */
  riskFromEarlierRound: boolean;
};

export type QueueView = {
  params: QueueParams;
  rows: QueueEntry[];
  /** Who an approver may assign cases to (empty for reviewers). */
  team: { id: string; name: string }[];
  /** Everyone the assignee filter offers by name (active staff). */
  colleagues: { id: string; name: string }[];
  /** The configured levels, for the level filter. */
  levels: string[];
  hasNext: boolean;
  hasPrevious: boolean;
  now: Date;
};

export async function loadQueue(
  staff: Reviewer,
  q: QueueQuery,
  now = new Date(),
): Promise<QueueView> {
  const params = parseQueueParams(q);
  const seek: QueueSeek | undefined = params.after
    ? { caseId: params.after, direction: "after" }
    : params.before
      ? { caseId: params.before, direction: "before" }
      : undefined;
  const found = await listQueue({
    ...queueFilterOf(staff, params, now),
    offset: seek ? 0 : (params.page - 1) * params.per,
    limit: params.per + 1,
    seek,
  });
  // One row more than the page is read, on the far side: after the page, or before it when
  // walking back (the rows come in the queue's order, so that one is first).
  const more = found.length > params.per;
  const backwards = seek?.direction === "before";
  const rows: QueueEntry[] = (backwards && more ? found.slice(1) : found.slice(0, params.per)).map(
    (r) => ({
      ...r,
      riskFromEarlierRound: riskFromEarlierRound(
        { ...r, queuedAt: r.waitingSince },
        !r.checksPending,
        r.rescreenHitAt,
      ),
    }),
  );
  const names = new Map<string, string>();
  const unreadable = new Set<string>();
  const sealed = await listLatestSubmissions(rows.map((r) => r.caseId));
  await Promise.all(
    sealed.map(async (s) => {
      // An erased case (its key destroyed) is listed without a name; answers that do not read
      // are listed without one too, marked, so one bad round never takes the queue down.
      const answers = await readRoundAnswers(s, "queue");
      if (answers === "unreadable") unreadable.add(s.caseId);
      if (typeof answers === "string") return;
      const personal = nameOfAnswers(answers);
      const name = [personal?.givenNames, personal?.surnames].filter(Boolean).join(" ");
      if (name) names.set(s.caseId, name);
    }),
  );
  for (const row of rows) {
    const name = names.get(row.caseId);
    if (unreadable.has(row.caseId)) row.nameUnreadable = true;
    if (name) {
      row.name = name;
      row.latinName = latinReading(name);
    }
  }
  const colleagues = (await listActiveStaff()).map((s) => ({ id: s.id, name: s.displayName }));
  const team = hasRole(staff, "approver") ? colleagues : [];
  // A level no longer configured still has its cases: the filter keeps offering the one asked for.
  const levels = levelsConfig().levels.map((level) => level.id);
  if (params.level && !levels.includes(params.level)) levels.push(params.level);
  return {
    params,
    rows,
    team,
    colleagues,
    levels,
    hasNext: backwards ? true : more,
    hasPrevious: backwards ? more : seek !== undefined || params.page > 1,
    now,
  };
}

/**
 * Why a bulk assignment was refused before anything changed. The selection's own limits are
 * here, not in the form's action: a caller that skipped them would otherwise act on part of
 * what it asked for.
 */
export type BulkRefusal =
  "none_selected" | "too_many_selected" | "needs_approver" | "unknown_staff";

/**
 * Claims the selected cases for the officer, or (approvers) assigns them to someone. Only open
 * review cases nobody holds, or that the officer holds, change. A case the assignee already
 * holds counts as done (`claimed`), as a second click on a single claim does: it is theirs. Of
 * the rest, those decided since the queue was read (`decided`: out of review, as a single claim
 * refuses them with `not_open`) are told apart from those someone else took meanwhile, so the
 * officer is not told a colleague holds a case that has no work left. An id posted twice is one
 * case (`asked` counts each once); more than QUEUE_MAX_PAGE_SIZE distinct cases, or none, are
 * refused whole.
 */
export async function claimSelectedCases(
  staff: Reviewer,
  caseIds: string[],
  assignee: string | undefined,
  now = new Date(),
): Promise<{ asked: number; claimed: number; decided: number } | { refused: BulkRefusal }> {
  const selected = [...new Set(caseIds)];
  if (selected.length === 0) return { refused: "none_selected" };
  if (selected.length > QUEUE_MAX_PAGE_SIZE) return { refused: "too_many_selected" };
  const to = assignee ?? staff.id;
  if (to !== staff.id && !hasRole(staff, "approver")) return { refused: "needs_approver" };
  if (to !== staff.id && !(await listActiveStaff()).some((s) => s.id === to))
    return { refused: "unknown_staff" };
  const { changed, held, moved } = await assignCases({
    caseIds: selected,
    statuses: [...QUEUES.review],
    assignee: to,
    actorId: staff.id,
    action: to === staff.id ? "case.claimed" : "case.assigned",
    now,
  });
  return {
    asked: selected.length,
    claimed: changed.length + held.length,
    decided: moved.length,
  };
}

/** "Next case": the oldest unassigned review case within the officer's current filters. */
export async function takeNextCase(
  staff: Pick<Reviewer, "id">,
  q: QueueQuery,
  now = new Date(),
): Promise<string | null> {
  const filter = queueFilterOf(staff, parseQueueParams(q), now);
  const review: readonly CaseStatus[] = QUEUES.review;
  const statuses = filter.statuses.filter((s) => review.includes(s));
  if (statuses.length === 0) return null;
  // The assignee filter gives way: the next case is always an unassigned one.
  return claimNextCase({
    filter: { ...filter, assignee: undefined, statuses },
    staffId: staff.id,
    now,
  });
}
