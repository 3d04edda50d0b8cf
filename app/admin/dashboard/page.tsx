import Link from "next/link";
import { getLocale } from "next-intl/server";
import { env } from "@/lib/env";
import { withPageScope } from "@/lib/http/action-scope";
import { getTranslations } from "@/lib/i18n/translations";
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

function Export({
  figure,
  from,
  to,
  text,
}: {
  figure: DashboardFigure;
  from: string;
  to: string;
  text: string;
}) {
  const query = new URLSearchParams({ figure, from, to });
  return (
    <a
      className="button secondary"
      href={`/admin/dashboard/export?${query.toString()}`}
      data-testid={`export-${figure}`}
    >
      {text}
    </a>
  );
}

/** The head of compliance's overview of a period: what came in, how fast, who decided what. */
async function DashboardPage({ searchParams }: Props) {
  const staff = await requireStaff(DASHBOARD_ROLE);
  const period = parseDashboardPeriod(await searchParams);
  const [f, label, t, locale] = await Promise.all([
    loadDashboard(staff, period, env().reviewTimeHours),
    getConsoleLabels(),
    getTranslations("ConsoleAdmin"),
    getLocale(),
  ]);
  const list = (items: string[]) =>
    items.length === 0 ? t("none") : new Intl.ListFormat(locale).format(items);
  const percent = (rate: number | null) => (rate === null ? t("dash") : t("percent", { rate }));
  const { fromDay: from, toDay: to } = period;
  const dayOf = (iso: string) => new Date(`${iso}T00:00:00Z`);
  const preset = (days: number) => {
    const start = new Date(dayOf(to).getTime() - (days - 1) * 86_400_000);
    return `/admin/dashboard?from=${start.toISOString().slice(0, 10)}&to=${to}`;
  };
  const csv = (figure: DashboardFigure) => (
    <Export figure={figure} from={from} to={to} text={t("csv")} />
  );
  const hours = f.reviewTimeHours;
  const bucket = (b: (typeof f.waiting.distribution)[number]) =>
    t("dashboard.bucket", { key: b.key, min: b.min, max: b.max ?? b.min });
  return (
    <>
      <h1>{t("dashboard.title")}</h1>
      <form className="filters" method="get" data-testid="period">
        <label>
          {t("dashboard.from")} <input type="date" name="from" defaultValue={from} />
        </label>
        <label>
          {t("dashboard.to")} <input type="date" name="to" defaultValue={to} />
        </label>
        <button className="button" type="submit">
          {t("dashboard.show")}
        </button>
        <span>
          <Link href={preset(7)}>{t("days", { days: 7 })}</Link> ·{" "}
          <Link href={preset(30)}>{t("days", { days: 30 })}</Link> ·{" "}
          <Link href={preset(90)}>{t("days", { days: 90 })}</Link>
        </span>
      </form>
      <p className="muted" data-testid="period-text">
        {t("dashboard.period", { from: dayOf(from), to: dayOf(to), days: period.days })}
      </p>
      <p className="muted" data-testid="csv-note">
        {t("csvNote")}
      </p>

      <section className="card" aria-labelledby="cases-title">
        <h2 id="cases-title">
          {t("dashboard.casesTitle")} {csv("cases")}
        </h2>
        <BarChart
          id="cases"
          title={t("dashboard.casesChart")}
          description={t("dashboard.casesSummary", {
            total: f.cases.total,
            list: list(
              f.cases.byStatus.map((s) =>
                t("dashboard.statusCount", { count: s.total, status: label.status(s.status) }),
              ),
            ),
          })}
          bars={f.cases.byStatus.map((s) => ({
            key: s.status,
            label: label.status(s.status),
            value: s.total,
          }))}
          countLabel={t("chartCount")}
          table={false}
        />
        <table className="queue" data-testid="cases-table">
          <caption className="muted">{t("dashboard.casesCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dashboard.status")}</th>
              {f.cases.levels.map((l) => (
                <th scope="col" key={l}>
                  {label.level(l)}
                </th>
              ))}
              <th scope="col">{t("dashboard.all")}</th>
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
          {t("dashboard.waitingTitle")} {csv("waiting")}
        </h2>
        <dl className="facts">
          <dt>{t("dashboard.waitingTotal")}</dt>
          <dd data-testid="waiting-total">{f.waiting.total}</dd>
          <dt>{t("dashboard.breaches", { hours })}</dt>
          <dd data-testid="sla-breaches">{f.waiting.breaches}</dd>
        </dl>
        <BarChart
          id="waiting"
          title={t("dashboard.waitingChart")}
          description={t("dashboard.waitingSummary", {
            total: f.waiting.total,
            breaches: f.waiting.breaches,
            hours,
          })}
          bars={f.waiting.distribution.map((b) => ({
            key: b.key,
            label: bucket(b),
            value: b.cases,
            alert: b.breach,
          }))}
          countLabel={t("chartCount")}
          table={false}
        />
        <table className="queue" data-testid="waiting-table">
          <caption className="muted">{t("dashboard.waitingCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("dashboard.waited")}</th>
              <th scope="col">{t("dashboard.cases")}</th>
            </tr>
          </thead>
          <tbody>
            {f.waiting.distribution.map((b) => (
              <tr key={b.key} data-bucket={b.key}>
                <th scope="row">
                  {b.breach ? t("dashboard.breach", { bucket: bucket(b) }) : bucket(b)}
                </th>
                <td>{b.cases}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card" aria-labelledby="decisions-title">
        <h2 id="decisions-title">
          {t("dashboard.decisionsTitle")} {csv("decisions")}
        </h2>
        <BarChart
          id="decisions"
          title={t("dashboard.decisionsChart")}
          description={t("dashboard.decisionsSummary", {
            total: f.decisions.total,
            list: list(
              f.decisions.perReviewer.map((r) =>
                t("dashboard.reviewerCount", { reviewer: r.reviewer, count: r.total }),
              ),
            ),
          })}
          bars={f.decisions.perReviewer.map((r) => ({
            key: r.reviewer,
            label: r.reviewer,
            value: r.total,
          }))}
          countLabel={t("chartCount")}
          table={false}
        />
        {f.decisions.days.length === 0 ? (
          <p className="muted">{t("dashboard.noDecisions")}</p>
        ) : (
          <div style={{ overflowX: "auto" }}>
            <table className="queue" data-testid="decisions-table">
              <caption className="muted">{t("dashboard.decisionsCaption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("dashboard.reviewer")}</th>
                  {f.decisions.days.map((d) => (
                    <th scope="col" key={d}>
                      <time dateTime={d}>{t("dashboard.decisionDay", { day: dayOf(d) })}</time>
                    </th>
                  ))}
                  <th scope="col">{t("dashboard.all")}</th>
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
          {t("dashboard.outcomesTitle")} {csv("outcomes")}
        </h2>
        <dl className="facts">
          <dt>{t("dashboard.approved")}</dt>
          <dd data-testid="approvals">{f.outcomes.approvals}</dd>
          <dt>{t("dashboard.autoApproveRate")}</dt>
          <dd data-testid="auto-approve-rate">
            {t("dashboard.autoApproveValue", {
              rate: percent(f.outcomes.autoApproveRate),
              count: f.outcomes.autoApprovals,
            })}
          </dd>
          <dt>{t("dashboard.rejected")}</dt>
          <dd data-testid="rejections">{f.outcomes.rejections}</dd>
          <dt>{t("dashboard.rejectionRate")}</dt>
          <dd data-testid="rejection-rate">{percent(f.outcomes.rejectionRate)}</dd>
          <dt>{t("dashboard.actionRequests")}</dt>
          <dd data-testid="action-requests">{f.outcomes.actionRequests}</dd>
        </dl>
        {f.outcomes.topReasons.length > 0 ? (
          <BarChart
            id="reasons"
            title={t("dashboard.reasonsChart")}
            description={list(
              f.outcomes.topReasons.map((r) =>
                t("dashboard.reasonCount", { reason: label.reason(r.reason), count: r.count }),
              ),
            )}
            bars={f.outcomes.topReasons.map((r) => ({
              key: r.reason,
              label: label.reason(r.reason),
              value: r.count,
            }))}
            countLabel={t("chartCount")}
          />
        ) : (
          <p className="muted">{t("dashboard.noRejections")}</p>
        )}
      </section>

      <section className="card" aria-labelledby="screening-title">
        <h2 id="screening-title">
          {t("dashboard.screeningTitle")} {csv("screening")}
        </h2>
        <dl className="facts">
          <dt>{t("dashboard.hitRate")}</dt>
          <dd data-testid="hit-rate">
            {t("dashboard.rateOf", {
              rate: percent(f.screening.hitRate),
              part: f.screening.withHit,
              whole: f.screening.screened,
            })}
          </dd>
          <dt>{t("dashboard.falsePositiveRate")}</dt>
          <dd data-testid="false-positive-rate">
            {t("dashboard.rateOf", {
              rate: percent(f.screening.falsePositiveRate),
              part: f.screening.falsePositives,
              whole: f.screening.judged,
            })}
          </dd>
          <dt>
            {t("dashboard.monitoringOpen")} {csv("monitoring")}
          </dt>
          <dd data-testid="monitoring-open">{f.monitoring.open}</dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">
          {t("dashboard.deliveriesTitle")} {csv("deliveries")}
        </h2>
        <dl className="facts">
          <dt>{t("dashboard.backlog")}</dt>
          <dd data-testid="delivery-backlog">
            {t("dashboard.backlogValue", {
              backlog: f.deliveries.backlog,
              sending: f.deliveries.sending,
              failing: f.deliveries.failing,
            })}
          </dd>
          <dt>{t("dashboard.dead")}</dt>
          <dd data-testid="deliveries-dead">{f.deliveries.dead}</dd>
        </dl>
        {staff.role === "admin" ? (
          <Link href="/admin/deliveries">{t("dashboard.openDeliveries")}</Link>
        ) : null}
      </section>

      <section className="card" aria-labelledby="lists-title">
        <h2 id="lists-title">
          {t("dashboard.listsTitle")} {csv("lists")}
        </h2>
        {f.lists.length === 0 ? (
          <p className="alert" data-testid="no-lists">
            {t("dashboard.noLists")}
          </p>
        ) : (
          <table className="queue" data-testid="lists-table">
            <caption className="muted">{t("dashboard.listsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("dashboard.list")}</th>
                <th scope="col">{t("dashboard.imported")}</th>
                <th scope="col">{t("dashboard.age")}</th>
                <th scope="col">{t("dashboard.entries")}</th>
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
                    {l.ageHours < 48
                      ? t("hours", { hours: l.ageHours })
                      : t("days", { days: Math.floor(l.ageHours / 24) })}
                  </td>
                  <td>{t("number", { value: l.entries })}</td>
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
