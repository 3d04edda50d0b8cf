import Link from "next/link";
import { getLocale } from "next-intl/server";
import { LocalTime } from "@/app/inapp/_components/local-time";
import { env } from "@/lib/env";
import { CASE_STATUSES } from "@/lib/kyc/statuses";
import { UNKNOWN_STAFF } from "@/lib/review/console-messages";
import { getConsoleLabels } from "@/lib/review/labels";
import { loadQueue, queueHref, QUEUE_TRIGGERS } from "@/lib/review/queue";
import { requireStaff } from "@/lib/staff/console";
import { bulkClaimAction, claimAction, nextCaseAction } from "./actions";
import { withPageScope } from "@/lib/http/action-scope";
import { ListsWarning } from "./_components/lists-warning";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** What the queue says for an `?error=` its own actions send back. */
const QUEUE_REFUSALS = {
  forbidden: "Your role does not allow that.",
  none_selected: "Select at least one case first.",
  needs_approver: "Assigning cases to someone else needs the approver role.",
  unknown_staff: "That person has no active console account.",
  no_next_case: "No unassigned case waits in these filters.",
  failed: "Something went wrong; nothing was changed.",
} as const;

function hoursSince(date: Date, now: Date): number {
  return Math.floor((now.getTime() - date.getTime()) / 3_600_000);
}

/**
 * The review queue: search, filters, sort and page in the URL (lib/review/queue.ts parses
 * them), oldest first, with the SLA timer against the promised time.
 */
async function QueuePage({ searchParams }: Props) {
  const staff = await requireStaff("reviewer");
  const q = await searchParams;
  const [{ params, rows, team, hasNext, now }, label, locale] = await Promise.all([
    loadQueue(staff, q),
    getConsoleLabels(),
    getLocale(),
  ]);
  const target = env().reviewTimeHours;
  const error = typeof q.error === "string" ? q.error : undefined;
  const claimed = Number(q.claimed);
  const asked = Number(q.asked);
  const returnQuery = new URL(queueHref(params), "http://queue").search.slice(1);
  return (
    <>
      <h1>Review queue</h1>
      <ListsWarning />
      {error && Object.hasOwn(QUEUE_REFUSALS, error) ? (
        <p className="alert" role="alert" data-testid="queue-error" data-error={error}>
          {QUEUE_REFUSALS[error as keyof typeof QUEUE_REFUSALS]}
        </p>
      ) : null}
      {Number.isInteger(claimed) && Number.isInteger(asked) && asked > 0 ? (
        <p className="notice" role="status" data-testid="bulk-outcome" data-claimed={claimed}>
          {claimed === asked
            ? `Done: ${claimed} of ${asked} cases.`
            : `Done: ${claimed} of ${asked} cases; the others were taken by someone else meanwhile.`}
        </p>
      ) : null}
      <form action={nextCaseAction} className="next-case">
        <input type="hidden" name="returnQuery" value={returnQuery} />
        <button className="button" type="submit" data-testid="next-case">
          Next case
        </button>{" "}
        <span className="muted">the oldest unassigned case in these filters, claimed for you</span>
      </form>
      <form className="filters" method="get" data-testid="queue-filters">
        <label>
          Search{" "}
          <input
            type="search"
            name="q"
            defaultValue={params.q ?? ""}
            size={28}
            placeholder="Name, e-mail, cTrader id, login, case id, document number"
            data-testid="queue-search"
          />
        </label>
        <label>
          Queue{" "}
          <select name="queue" defaultValue={params.queue}>
            <option value="review">To review</option>
            <option value="waiting">Waiting for the trader</option>
            <option value="monitoring">Monitoring hits</option>
            <option value="periodic">Periodic reviews</option>
            <option value="decided">Decided</option>
            <option value="drafts">Not sent yet</option>
          </select>
        </label>
        <label>
          Status{" "}
          <select name="status" defaultValue={params.status ?? ""}>
            <option value="">Any in the queue</option>
            {CASE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {label.status(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Level <input name="level" defaultValue={params.level ?? ""} size={10} />
        </label>
        <label>
          Risk{" "}
          <select name="risk" defaultValue={params.risk ?? ""}>
            <option value="">Any</option>
            {(["low", "medium", "high"] as const).map((r) => (
              <option key={r} value={r}>
                {label.risk(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trigger{" "}
          <select name="trigger" defaultValue={params.trigger ?? ""}>
            <option value="">Any</option>
            {QUEUE_TRIGGERS.map((t) => (
              <option key={t} value={t}>
                {label.trigger(t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Assignee{" "}
          <select
            name="assignee"
            defaultValue={
              params.assignee === "me" || params.assignee === "unassigned" ? params.assignee : ""
            }
          >
            <option value="">Anyone</option>
            <option value="me">Me</option>
            <option value="unassigned">Unassigned</option>
          </select>
        </label>
        <label>
          Waiting ≥{" "}
          <input
            name="minHours"
            type="number"
            min={1}
            defaultValue={params.minHours ?? ""}
            size={4}
          />{" "}
          h
        </label>
        <label>
          <input type="checkbox" name="overdue" value="1" defaultChecked={params.overdue === "1"} />{" "}
          Over {target} h (SLA)
        </label>
        <label>
          <input
            type="checkbox"
            name="escalated"
            value="1"
            defaultChecked={params.escalated === "1"}
          />{" "}
          Escalated only
        </label>
        <label>
          <input
            type="checkbox"
            name="monitoring"
            value="1"
            defaultChecked={params.monitoring === "1"}
          />{" "}
          Monitoring hit
        </label>
        <label>
          <input
            type="checkbox"
            name="checksFailed"
            value="1"
            defaultChecked={params.checksFailed === "1"}
          />{" "}
          A check failed
        </label>
        <label>
          Sort{" "}
          <select name="sort" defaultValue={params.sort}>
            <option value="oldest">Waiting longest first</option>
            <option value="newest">Newest first</option>
          </select>
        </label>
        <button className="button secondary" type="submit">
          Filter
        </button>
      </form>
      <form id="bulk" action={bulkClaimAction} className="bulk" data-testid="bulk">
        <input type="hidden" name="returnQuery" value={returnQuery} />
        {team.length > 0 ? (
          <label>
            Assign the selected cases to{" "}
            <select name="assignee" defaultValue={staff.id}>
              {team.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id === staff.id ? "me" : m.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}{" "}
        <button className="button secondary" type="submit" data-testid="bulk-claim">
          {team.length > 0 ? "Assign selected" : "Claim selected"}
        </button>
      </form>
      <table className="queue" data-testid="queue">
        <thead>
          <tr>
            <th>
              <span className="visually-hidden">Select</span>
            </th>
            <th>Trader</th>
            <th>Level</th>
            <th>Trigger</th>
            <th>Status</th>
            <th>Risk</th>
            <th>Waiting</th>
            <th>Assignee</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const waited = hoursSince(r.waitingSince, now);
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
                    aria-label={`Select ${r.name ?? r.traderEmail ?? r.ctraderUserId}`}
                  />
                </td>
                <td>
                  <Link href={`/admin/cases/${r.caseId}`} data-testid="trader-name">
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
                  <br />
                  <small className="muted">
                    {r.name && r.traderEmail ? `${r.traderEmail} · ` : ""}cTrader {r.ctraderUserId}
                    {r.tradingLogin ? ` · login ${r.tradingLogin}` : ""}
                  </small>
                </td>
                <td data-level={r.level}>{label.level(r.level)}</td>
                <td data-trigger={r.trigger}>{label.trigger(r.trigger)}</td>
                <td data-testid="status">
                  {label.status(r.status)}
                  {r.checksPending ? " · checks running" : ""}
                  {r.checksFailed ? (
                    <>
                      {" "}
                      <strong className="tag" data-testid="checks-failed">
                        check failed
                      </strong>
                    </>
                  ) : null}
                </td>
                <td data-risk={r.riskLevel ?? undefined}>
                  {label.risk(r.riskLevel)}
                  {r.fourEyesRequired ? " · four eyes" : ""}
                  {r.escalated ? (
                    <>
                      {" "}
                      <strong className="tag" data-testid="escalated">
                        escalated
                      </strong>
                    </>
                  ) : null}
                  {r.monitoringHit ? (
                    <>
                      {" "}
                      <strong className="tag" data-testid="monitoring-hit">
                        monitoring hit
                      </strong>
                    </>
                  ) : null}
                  {r.periodicReview ? (
                    <>
                      {" "}
                      <strong className="tag" data-testid="periodic-review">
                        periodic review due
                      </strong>
                    </>
                  ) : null}
                </td>
                <td data-overdue={waited > target ? "true" : undefined}>
                  <LocalTime iso={r.waitingSince.toISOString()} locale={locale} utcTitle /> ·{" "}
                  {waited} h / {target} h{waited > target ? " · overdue" : ""}
                </td>
                <td data-testid="assignee">
                  {r.assignedTo === null
                    ? "—"
                    : r.assignedTo === staff.id
                      ? "you"
                      : `claimed by ${r.assigneeName ?? UNKNOWN_STAFF}`}
                </td>
                <td>
                  {!r.assignedTo && params.queue === "review" ? (
                    <form action={claimAction}>
                      <input type="hidden" name="caseId" value={r.caseId} />
                      <button className="button secondary" type="submit">
                        Claim
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
          No case in this queue matches the filters.
        </p>
      ) : null}
      <nav className="pager" aria-label="Pages" data-testid="queue-pages">
        {params.page > 1 ? (
          <Link href={queueHref({ ...params, page: params.page - 1 })} rel="prev">
            ← Previous
          </Link>
        ) : null}{" "}
        <span>Page {params.page}</span>{" "}
        {hasNext ? (
          <Link href={queueHref({ ...params, page: params.page + 1 })} rel="next">
            Next →
          </Link>
        ) : null}
      </nav>
    </>
  );
}

export default withPageScope(QueuePage);
