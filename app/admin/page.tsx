import type { Metadata } from "next";
import Link from "next/link";
import { OfficerTime } from "./_components/officer-time";
import { env } from "@/lib/env";
import { CASE_STATUSES } from "@/lib/kyc/statuses";
import { getTranslations } from "@/lib/i18n/translations";
import { getConsoleLabels } from "@/lib/review/labels";
import {
  caseHref,
  awaitsReview,
  loadQueue,
  queueContextQuery,
  queueHref,
  queueQuery,
  QUEUES,
  queueStatuses,
  QUEUE_MAX_PAGE_SIZE,
  QUEUE_PAGE_SIZES,
  QUEUE_TRIGGERS,
  type QueueName,
} from "@/lib/review/queue";
import { requireStaff } from "@/lib/staff/console";
import { bulkClaimAction, claimAction, nextCaseAction } from "./actions";
import { withPageScope } from "@/lib/http/action-scope";
import { ListsWarning } from "./_components/lists-warning";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The `?error=` codes the queue's own actions send back (each has its words in the catalog). */
const QUEUE_REFUSALS = new Set([
  "forbidden",
  "none_selected",
  "invalid_selection",
  "too_many_selected",
  "needs_approver",
  "unknown_staff",
  "no_next_case",
  "failed",
]);

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Console.queue"))("title") };
}

function hoursSince(date: Date, now: Date): number {
  return Math.floor((now.getTime() - date.getTime()) / 3_600_000);
}

/**
 * The review queue: search, filters, sort and page in the URL (lib/review/queue.ts parses
 * them), oldest first, with the SLA timer against the promised time.
 */
/** One of the queue's yes/no filters: a checkbox sending `name=1`. */
function Flag({ name, on, label }: { name: string; on: string | undefined; label: string }) {
  return (
    <label>
      <input type="checkbox" name={name} value="1" defaultChecked={on === "1"} /> {label}
    </label>
  );
}

async function QueuePage({ searchParams }: Props) {
  const staff = await requireStaff("reviewer");
  const q = await searchParams;
  const [{ params, rows, team, colleagues, levels, hasNext, hasPrevious, now }, label, t] =
    await Promise.all([loadQueue(staff, q), getConsoleLabels(), getTranslations("Console.queue")]);
  const target = env().reviewTimeHours;
  const error = typeof q.error === "string" ? q.error : undefined;
  const claimed = Number(q.claimed);
  const asked = Number(q.asked);
  const decided = Number.isInteger(Number(q.decided)) ? Math.max(0, Number(q.decided)) : 0;
  const taken = Math.max(0, asked - claimed - decided);
  const returnQuery = queueQuery(params);
  const context = queueContextQuery(params);
  return (
    <>
      <h1>{t("title")}</h1>
      <ListsWarning />
      {error && QUEUE_REFUSALS.has(error) ? (
        <p className="alert" role="alert" data-testid="queue-error" data-error={error}>
          {t("refusal", { error, max: QUEUE_MAX_PAGE_SIZE })}
        </p>
      ) : null}
      {Number.isInteger(claimed) && Number.isInteger(asked) && asked > 0 ? (
        <p
          className="notice"
          role="status"
          data-testid="bulk-outcome"
          data-claimed={claimed}
          data-decided={decided}
        >
          {t(taken > 0 && decided === 0 ? "bulkPartial" : "bulkDone", { claimed, asked })}
          {decided > 0 ? <> {t("bulkDecided", { decided, taken })}</> : null}
        </p>
      ) : null}
      <form action={nextCaseAction} className="next-case">
        <input type="hidden" name="returnQuery" value={returnQuery} />
        <button className="button" type="submit" data-testid="next-case">
          {t("nextCase")}
        </button>{" "}
        <span className="muted">{t("nextCaseHint")}</span>
      </form>
      <form className="filters" method="get" aria-label={t("filters")} data-testid="queue-filters">
        <label>
          {t("search")}{" "}
          <input
            type="search"
            name="q"
            defaultValue={params.q ?? ""}
            size={28}
            placeholder={t("searchPlaceholder")}
            data-testid="queue-search"
          />
        </label>
        <label>
          {t("queue")}{" "}
          <select name="queue" defaultValue={params.queue}>
            {(Object.keys(QUEUES) as QueueName[]).map((name) => (
              <option key={name} value={name}>
                {t("queues", { queue: name })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("status")}{" "}
          <select name="status" defaultValue={params.status ?? ""}>
            <option value="">{t("anyInQueue")}</option>
            {CASE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {label.status(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("level")}{" "}
          <select name="level" defaultValue={params.level ?? ""} data-testid="filter-level">
            <option value="">{t("any")}</option>
            {levels.map((level) => (
              <option key={level} value={level}>
                {label.level(level)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("risk")}{" "}
          <select name="risk" defaultValue={params.risk ?? ""}>
            <option value="">{t("any")}</option>
            {(["low", "medium", "high"] as const).map((r) => (
              <option key={r} value={r}>
                {label.risk(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("trigger")}{" "}
          <select name="trigger" defaultValue={params.trigger ?? ""}>
            <option value="">{t("any")}</option>
            {QUEUE_TRIGGERS.map((t) => (
              <option key={t} value={t}>
                {label.trigger(t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("assignee")}{" "}
          <select
            name="assignee"
            defaultValue={params.assignee ?? ""}
            data-testid="filter-assignee"
          >
            <option value="">{t("anyone")}</option>
            <option value="me">{t("me")}</option>
            <option value="unassigned">{t("unassigned")}</option>
            {colleagues
              .filter((c) => c.id !== staff.id)
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          {t("waitingAtLeast")}{" "}
          <input
            name="minHours"
            type="number"
            min={1}
            defaultValue={params.minHours ?? ""}
            size={4}
          />{" "}
          {t("hours")}
        </label>
        {queueStatuses(params).some(awaitsReview) ? (
          <Flag name="overdue" on={params.overdue} label={t("overSla", { hours: target })} />
        ) : null}
        <Flag name="escalated" on={params.escalated} label={t("escalatedOnly")} />
        <Flag name="monitoring" on={params.monitoring} label={t("monitoringHit")} />
        <Flag name="checksFailed" on={params.checksFailed} label={t("checkFailed")} />
        <label>
          {t("sort")}{" "}
          <select name="sort" defaultValue={params.sort}>
            <option value="oldest">{t("oldest")}</option>
            <option value="newest">{t("newest")}</option>
            <option value="risk">{t("sortRisk")}</option>
            <option value="updated">{t("sortUpdated")}</option>
          </select>
        </label>
        <label>
          {t("perPage")}{" "}
          <select name="per" defaultValue={String(params.per)} data-testid="queue-per-page">
            {QUEUE_PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button className="button secondary" type="submit">
          {t("filter")}
        </button>
      </form>
      <form id="bulk" action={bulkClaimAction} className="bulk" data-testid="bulk">
        <input type="hidden" name="returnQuery" value={returnQuery} />
        {team.length > 0 ? (
          <label>
            {t("assignTo")}{" "}
            <select name="assignee" defaultValue={staff.id}>
              {team.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id === staff.id ? t("meOption") : m.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}{" "}
        <button className="button secondary" type="submit" data-testid="bulk-claim">
          {team.length > 0 ? t("assignSelected") : t("claimSelected")}
        </button>
      </form>
      <table className="queue" data-testid="queue">
        <thead>
          <tr>
            <th>
              <span className="visually-hidden">{t("selectColumn")}</span>
            </th>
            <th>{t("traderColumn")}</th>
            <th>{t("levelColumn")}</th>
            <th>{t("triggerColumn")}</th>
            <th>{t("statusColumn")}</th>
            <th>{t("riskColumn")}</th>
            <th>{t("waitingColumn")}</th>
            <th>{t("assigneeColumn")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const waited = hoursSince(r.waitingSince, now);
            const overdue = awaitsReview(r.status) && waited > target;
            return (
              <tr
                key={r.caseId}
                data-case={r.caseId}
                data-status={r.status}
                data-escalated={r.escalated ? "true" : undefined}
                data-monitoring={r.monitoringHit ? "true" : undefined}
              >
                <td>
                  <input
                    type="checkbox"
                    name="caseId"
                    value={r.caseId}
                    form="bulk"
                    aria-label={t("selectCase", {
                      name: r.name ?? r.traderEmail ?? r.ctraderUserId,
                    })}
                  />
                </td>
                <td>
                  <Link href={caseHref(r.caseId, context)} data-testid="trader-name">
                    {r.name ?? r.traderEmail ?? `cTrader ${r.ctraderUserId}`}
                  </Link>
                  {r.latinName ? (
                    <>
                      {" "}
                      <span className="muted" lang="en" data-testid="latin-name">
                        ({r.latinName})
                      </span>
                    </>
                  ) : null}
                  {r.nameUnreadable ? (
                    <>
                      {" "}
                      <strong className="tag" data-testid="name-unreadable">
                        {t("nameUnreadable")}
                      </strong>
                    </>
                  ) : null}
                  <br />
                  <small className="muted">
                    {r.name && r.traderEmail ? `${r.traderEmail} · ` : ""}cTrader {r.ctraderUserId}
                    {r.tradingLogin ? ` · ${t("tradingLogin", { login: r.tradingLogin })}` : ""}
                  </small>
                </td>
                <td data-level={r.level}>{label.level(r.level)}</td>
                <td data-trigger={r.trigger}>{label.trigger(r.trigger)}</td>
                <td data-testid="status">
                  {label.status(r.status)}
                  {r.checksPending ? ` · ${t("checksRunning")}` : ""}
                  {r.checksFailed ? (
                    <>
                      {" "}
                      <strong className="tag" data-testid="checks-failed">
                        {t("checkFailedTag")}
                      </strong>
                    </>
                  ) : null}
                </td>
                <td data-risk={r.riskLevel ?? undefined}>
                  {label.risk(r.riskLevel)}
                  {r.riskFromEarlierRound ? ` · ${t("riskEarlierRound")}` : ""}
                  {r.fourEyesRequired ? ` · ${t("fourEyes")}` : ""}
                  {r.escalated ? (
                    <>
                      {" "}
                      <strong className="tag" data-testid="escalated">
                        {t("escalatedTag")}
                      </strong>
                    </>
                  ) : null}
                  {r.monitoringHit ? (
                    <>
                      {" "}
                      <strong
                        className="tag"
                        data-testid="monitoring-hit"
                        data-hold={r.vendorVerdictHold ? "vendor_verdict" : "monitoring_hit"}
                      >
                        {t(r.vendorVerdictHold ? "vendorVerdictTag" : "monitoringTag")}
                      </strong>
                    </>
                  ) : null}
                  {r.periodicReview ? (
                    <>
                      {" "}
                      <strong className="tag" data-testid="periodic-review">
                        {t("periodicTag")}
                      </strong>
                    </>
                  ) : null}
                </td>
                <td data-overdue={overdue ? "true" : undefined}>
                  <OfficerTime iso={r.waitingSince.toISOString()} /> ·{" "}
                  {t("waited", { waited, target })}
                  {overdue ? ` · ${t("overdue")}` : ""}
                </td>
                <td data-testid="assignee">
                  {r.assignedTo === null
                    ? "—"
                    : r.assignedTo === staff.id
                      ? t("you")
                      : t("claimedBy", { name: r.assigneeName ?? t("formerStaff") })}
                </td>
                <td>
                  {!r.assignedTo && params.queue === "review" ? (
                    <form action={claimAction}>
                      <input type="hidden" name="caseId" value={r.caseId} />
                      <button className="button secondary" type="submit">
                        {t("claim")}
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 ? (
        <p className="muted" data-testid="queue-empty">
          {t("empty")}
        </p>
      ) : null}
      <nav className="pager" aria-label={t("pages")} data-testid="queue-pages">
        {hasPrevious ? (
          <>
            <Link href={queueHref({ ...params, page: 1, after: undefined, before: undefined })}>
              {t("first")}
            </Link>{" "}
            {/* An empty page past the end (a typed or stale page=) has no row to seek from: its
                way back is the page before it by offset. */}
            <Link
              href={queueHref({
                ...params,
                page: Math.max(1, params.page - 1),
                after: undefined,
                before: rows[0]?.caseId,
              })}
              rel="prev"
            >
              {t("previous")}
            </Link>
          </>
        ) : null}{" "}
        <span>{t("page", { page: params.page })}</span>{" "}
        {hasNext && rows.length > 0 ? (
          <Link
            href={queueHref({
              ...params,
              page: params.page + 1,
              after: rows[rows.length - 1]?.caseId,
              before: undefined,
            })}
            rel="next"
          >
            {t("next")}
          </Link>
        ) : null}
      </nav>
    </>
  );
}

export default withPageScope(QueuePage);
