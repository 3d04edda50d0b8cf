import Link from "next/link";
import { env } from "@/lib/env";
import { withPageScope } from "@/lib/http/action-scope";
import {
  loadDashboard,
  parseDashboardPeriod,
  DASHBOARD_ROLE,
  type DashboardFigure,
} from "@/lib/review/dashboard";
import { getConsoleLabels } from "@/lib/review/labels";
import { requireStaff } from "@/lib/staff/console";
import { Time } from "../cases/[id]/_sections/value";
import { BarChart } from "./_components/bar-chart";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const percent = (rate: number | null) =>
  rate === null ? "—" : `${Math.round(rate * 1000) / 10} %`;

function Export({ figure, from, to }: { figure: DashboardFigure; from: string; to: string }) {
  const query = new URLSearchParams({ figure, from, to });
  return (
    <a
      className="button secondary"
      href={`/admin/dashboard/export?${query.toString()}`}
      data-testid={`export-${figure}`}
    >
      CSV
    </a>
  );
}

/** The head of compliance's overview of a period: what came in, how fast, who decided what. */
async function DashboardPage({ searchParams }: Props) {
  const staff = await requireStaff(DASHBOARD_ROLE);
  const period = parseDashboardPeriod(await searchParams);
  const [f, label] = await Promise.all([
    loadDashboard(staff, period, env().reviewTimeHours),
    getConsoleLabels(),
  ]);
  const { fromDay: from, toDay: to } = period;
  const preset = (days: number) => {
    const start = new Date(new Date(`${to}T00:00:00Z`).getTime() - (days - 1) * 86_400_000);
    return `/admin/dashboard?from=${start.toISOString().slice(0, 10)}&to=${to}`;
  };
  return (
    <>
      <h1>Dashboard</h1>
      <form className="filters" method="get" data-testid="period">
        <label>
          From <input type="date" name="from" defaultValue={from} />
        </label>
        <label>
          To <input type="date" name="to" defaultValue={to} />
        </label>
        <button className="button" type="submit">
          Show
        </button>
        <span>
          <Link href={preset(7)}>7 days</Link> · <Link href={preset(30)}>30 days</Link> ·{" "}
          <Link href={preset(90)}>90 days</Link>
        </span>
      </form>
      <p className="muted" data-testid="period-text">
        {from} to {to} (UTC, {period.days} days). Waiting times, monitoring, deliveries and lists
        are as they stand now.
      </p>

      <section className="card" aria-labelledby="cases-title">
        <h2 id="cases-title">
          Cases opened in the period by status and level{" "}
          <Export figure="cases" from={from} to={to} />
        </h2>
        <BarChart
          id="cases"
          title="Cases opened in the period, by status now"
          description={`${f.cases.total} cases opened: ${f.cases.byStatus.map((s) => `${s.total} ${label.status(s.status)}`).join(", ") || "none"}.`}
          bars={f.cases.byStatus.map((s) => ({
            key: s.status,
            label: label.status(s.status),
            value: s.total,
          }))}
          table={false}
        />
        <table className="queue" data-testid="cases-table">
          <caption className="muted">Cases by status and level</caption>
          <thead>
            <tr>
              <th scope="col">Status</th>
              {f.cases.levels.map((l) => (
                <th scope="col" key={l}>
                  {label.level(l)}
                </th>
              ))}
              <th scope="col">All</th>
            </tr>
          </thead>
          <tbody>
            {f.cases.byStatus.map((s) => (
              <tr key={s.status} data-status={s.status}>
                <th scope="row">{label.status(s.status)}</th>
                {f.cases.levels.map((l) => (
                  <td key={l} data-level={l}>
                    {s.byLevel[l]}
                  </td>
                ))}
                <td data-total>{s.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card" aria-labelledby="waiting-title">
        <h2 id="waiting-title">
          Waiting for review now <Export figure="waiting" from={from} to={to} />
        </h2>
        <dl className="facts">
          <dt>Cases waiting</dt>
          <dd data-testid="waiting-total">{f.waiting.total}</dd>
          <dt>Over the promised {f.reviewTimeHours} h (SLA breaches)</dt>
          <dd data-testid="sla-breaches">{f.waiting.breaches}</dd>
        </dl>
        <BarChart
          id="waiting"
          title="Waiting-time distribution"
          description={`${f.waiting.total} cases waiting; ${f.waiting.breaches} past the ${f.reviewTimeHours} h review time.`}
          bars={f.waiting.distribution.map((b) => ({
            key: b.key,
            label: b.label,
            value: b.cases,
            alert: b.breach,
          }))}
          table={false}
        />
        <table className="queue" data-testid="waiting-table">
          <caption className="muted">Cases by time waited</caption>
          <thead>
            <tr>
              <th scope="col">Waited</th>
              <th scope="col">Cases</th>
            </tr>
          </thead>
          <tbody>
            {f.waiting.distribution.map((b) => (
              <tr key={b.key} data-bucket={b.key}>
                <th scope="row">
                  {b.label}
                  {b.breach ? " (breach)" : ""}
                </th>
                <td>{b.cases}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card" aria-labelledby="decisions-title">
        <h2 id="decisions-title">
          Decisions per reviewer per day <Export figure="decisions" from={from} to={to} />
        </h2>
        <BarChart
          id="decisions"
          title="Decisions per reviewer in the period"
          description={`${f.decisions.total} decisions: ${f.decisions.perReviewer.map((r) => `${r.reviewer} ${r.total}`).join(", ") || "none"}.`}
          bars={f.decisions.perReviewer.map((r) => ({
            key: r.reviewer,
            label: r.reviewer,
            value: r.total,
          }))}
          table={false}
        />
        {f.decisions.days.length === 0 ? (
          <p className="muted">No decisions in the period.</p>
        ) : (
          <div style={{ overflowX: "auto" }}>
            <table className="queue" data-testid="decisions-table">
              <caption className="muted">Decisions by UTC day</caption>
              <thead>
                <tr>
                  <th scope="col">Reviewer</th>
                  {f.decisions.days.map((d) => (
                    <th scope="col" key={d}>
                      {d}
                    </th>
                  ))}
                  <th scope="col">All</th>
                </tr>
              </thead>
              <tbody>
                {f.decisions.perReviewer.map((r) => (
                  <tr key={r.reviewer} data-reviewer={r.reviewer}>
                    <th scope="row">{r.reviewer}</th>
                    {f.decisions.days.map((d) => (
                      <td key={d}>{r.perDay[d]}</td>
                    ))}
                    <td data-total>{r.total}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="outcomes-title">
        <h2 id="outcomes-title">
          Approvals and rejections <Export figure="outcomes" from={from} to={to} />
        </h2>
        <dl className="facts">
          <dt>Approved</dt>
          <dd data-testid="approvals">{f.outcomes.approvals}</dd>
          <dt>Auto-approve rate</dt>
          <dd data-testid="auto-approve-rate">
            {percent(f.outcomes.autoApproveRate)} ({f.outcomes.autoApprovals} by the automated
            checks)
          </dd>
          <dt>Rejected</dt>
          <dd data-testid="rejections">{f.outcomes.rejections}</dd>
          <dt>Rejection rate (of approved and rejected)</dt>
          <dd data-testid="rejection-rate">{percent(f.outcomes.rejectionRate)}</dd>
          <dt>More information requested</dt>
          <dd data-testid="action-requests">{f.outcomes.actionRequests}</dd>
        </dl>
        {f.outcomes.topReasons.length > 0 ? (
          <BarChart
            id="reasons"
            title="Top rejection reasons"
            description={
              f.outcomes.topReasons.map((r) => `${label.reason(r.reason)}: ${r.count}`).join(", ") +
              "."
            }
            bars={f.outcomes.topReasons.map((r) => ({
              key: r.reason,
              label: label.reason(r.reason),
              value: r.count,
            }))}
          />
        ) : (
          <p className="muted">No rejections in the period.</p>
        )}
      </section>

      <section className="card" aria-labelledby="screening-title">
        <h2 id="screening-title">
          Screening <Export figure="screening" from={from} to={to} />
        </h2>
        <dl className="facts">
          <dt>Hit rate (submissions with a hit)</dt>
          <dd data-testid="hit-rate">
            {percent(f.screening.hitRate)} ({f.screening.withHit} of {f.screening.screened})
          </dd>
          <dt>False-positive rate (of hits judged)</dt>
          <dd data-testid="false-positive-rate">
            {percent(f.screening.falsePositiveRate)} ({f.screening.falsePositives} of{" "}
            {f.screening.judged})
          </dd>
          <dt>
            Monitoring hits open <Export figure="monitoring" from={from} to={to} />
          </dt>
          <dd data-testid="monitoring-open">{f.monitoring.open}</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">
          Deliveries <Export figure="deliveries" from={from} to={to} />
        </h2>
        <dl className="facts">
          <dt>Backlog (not delivered yet)</dt>
          <dd data-testid="delivery-backlog">
            {f.deliveries.backlog} ({f.deliveries.failing} failing and retrying)
          </dd>
          <dt>Dead (retries ran out)</dt>
          <dd data-testid="deliveries-dead">{f.deliveries.dead}</dd>
        </dl>
        {staff.role === "admin" ? <Link href="/admin/deliveries">Open the deliveries</Link> : null}
      </section>

      <section className="card" aria-labelledby="lists-title">
        <h2 id="lists-title">
          Screening lists <Export figure="lists" from={from} to={to} />
        </h2>
        {f.lists.length === 0 ? (
          <p className="alert" data-testid="no-lists">
            No screening list has been imported: nobody is screened.
          </p>
        ) : (
          <table className="queue" data-testid="lists-table">
            <caption className="muted">Age of each list’s imported version</caption>
            <thead>
              <tr>
                <th scope="col">List</th>
                <th scope="col">Imported</th>
                <th scope="col">Age</th>
                <th scope="col">Entries</th>
              </tr>
            </thead>
            <tbody>
              {f.lists.map((l) => (
                <tr key={l.source} data-list={l.source}>
                  <th scope="row">{l.source}</th>
                  <td>
                    <Time at={l.importedAt} />
                  </td>
                  <td data-age-hours={l.ageHours}>
                    {l.ageHours < 48 ? `${l.ageHours} h` : `${Math.floor(l.ageHours / 24)} days`}
                  </td>
                  <td>{l.entries}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

export default withPageScope(DashboardPage);
