import Link from "next/link";
import { env } from "@/lib/env";
import { UNKNOWN_STAFF } from "@/lib/review/console-messages";
import { getConsoleLabels } from "@/lib/review/labels";
import { loadQueue } from "@/lib/review/queue";
import { LocalTime } from "@/app/inapp/_components/local-time";
import { getLocale } from "next-intl/server";
import { requireStaff } from "@/lib/staff/console";
import { claimAction } from "./actions";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

function hoursSince(date: Date, now: Date): number {
  return Math.floor((now.getTime() - date.getTime()) / 3_600_000);
}

/** The review queue: oldest first, with filters and the SLA timer against the promised time. */
async function QueuePage({ searchParams }: Props) {
  const staff = await requireStaff("reviewer");
  const q = await searchParams;
  const [{ queue, rows, now }, label, locale] = await Promise.all([
    loadQueue(staff, q),
    getConsoleLabels(),
    getLocale(),
  ]);
  const target = env().reviewTimeHours;
  return (
    <>
      <h1>Review queue</h1>
      {one(q.error) === "forbidden" ? (
        <p className="alert" role="alert">
          Your role does not allow that.
        </p>
      ) : null}
      <form className="filters" method="get" data-testid="queue-filters">
        <label>
          Queue{" "}
          <select name="queue" defaultValue={queue}>
            <option value="review">To review</option>
            <option value="waiting">Waiting for the trader</option>
            <option value="monitoring">Monitoring hits</option>
            <option value="periodic">Periodic reviews</option>
            <option value="decided">Decided</option>
            <option value="drafts">Not sent yet</option>
          </select>
        </label>
        <label>
          Level <input name="level" defaultValue={one(q.level) ?? ""} size={10} />
        </label>
        <label>
          Risk{" "}
          <select name="risk" defaultValue={one(q.risk) ?? ""}>
            <option value="">Any</option>
            <option value="low">{label.risk("low")}</option>
            <option value="medium">{label.risk("medium")}</option>
            <option value="high">{label.risk("high")}</option>
          </select>
        </label>
        <label>
          Assignee{" "}
          <select name="assignee" defaultValue={one(q.assignee) ?? ""}>
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
            min={0}
            defaultValue={one(q.minHours) ?? ""}
            size={4}
          />{" "}
          h
        </label>
        <label>
          <input
            type="checkbox"
            name="escalated"
            value="1"
            defaultChecked={one(q.escalated) === "1"}
          />{" "}
          Escalated only
        </label>
        <button className="button secondary" type="submit">
          Filter
        </button>
      </form>
      <table className="queue" data-testid="queue">
        <thead>
          <tr>
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
                  <Link href={`/admin/cases/${r.caseId}`}>
                    {r.traderEmail ?? `cTrader ${r.ctraderUserId}`}
                  </Link>
                </td>
                <td data-level={r.level}>{label.level(r.level)}</td>
                <td data-trigger={r.trigger}>{label.trigger(r.trigger)}</td>
                <td data-testid="status">
                  {label.status(r.status)}
                  {r.checksPending ? " · checks running" : ""}
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
                  {!r.assignedTo && queue === "review" ? (
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
    </>
  );
}

export default withPageScope(QueuePage);
