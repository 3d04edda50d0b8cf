import Link from "next/link";
import { latestChainStatus, type ChainStatus } from "@/lib/audit/check";
import { loadAuditLog } from "@/lib/audit/console";
import { auditLogSearch, parseAuditLogQuery } from "@/lib/audit/log-query";
import { withPageScope } from "@/lib/http/action-scope";
import { getTranslations } from "@/lib/i18n/translations";
import { factsOf } from "@/lib/review/facts";
import { requireStaff } from "@/lib/staff/console";
import { Time } from "../cases/[id]/_sections/value";
import { verifyChainAction } from "./actions";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };
type T = Awaited<ReturnType<typeof getTranslations<"ConsoleAdmin">>>;

const VERIFY_COMMAND = "npm run audit:verify";

/** An event's data as `key: value` lines, one fact each, so the page reads and searches as text. */
function AuditFacts({ data }: { data: unknown }) {
  return (
    <ul className="audit-facts" data-testid="audit-data">
      {factsOf(data).map(({ key, value }, i) => (
        <li key={i}>
          {key ? <span className="muted">{key}:</span> : null} <bdi>{value}</bdi>
        </li>
      ))}
    </ul>
  );
}

function ChainStatusCard({ status, t }: { status: ChainStatus; t: T }) {
  const verified = {
    time: () => (status.state === "unverified" ? null : <Time at={status.verifiedAt} />),
    code: (chunks: React.ReactNode) => <code>{chunks}</code>,
    command: VERIFY_COMMAND,
  };
  return (
    <section className="card" aria-labelledby="chain-title" data-testid="chain-status">
      <h2 id="chain-title">{t("audit.chainTitle")}</h2>
      {status.state === "unverified" ? (
        <p data-state="unverified">{t("audit.unverified")}</p>
      ) : status.state === "intact" ? (
        <p className="notice" data-state="intact">
          {t("audit.intact", {
            rows: status.rows,
            keys: status.keysChecked ? "checked" : "none",
            heads: status.signedHeads,
          })}
        </p>
      ) : (
        <p className="alert" data-state="broken">
          {t("audit.broken", {
            seq: status.brokenSeq ?? "-",
            problem: t("audit.problem", { problem: status.problem ?? "-" }),
            rows: status.rows,
          })}
        </p>
      )}
      {status.state !== "unverified" ? (
        <p className="muted">
          {status.by
            ? t.rich("audit.verifiedBy", { ...verified, name: status.by })
            : t.rich("audit.verifiedOnSchedule", verified)}
        </p>
      ) : null}
      <form action={verifyChainAction}>
        <button className="button secondary" type="submit" data-testid="verify-now">
          {t("audit.verifyNow")}
        </button>
      </form>
    </section>
  );
}

/**
 * A chain hash cut to its first characters by CSS so the column stays narrow: the element holds
 * the whole value (copying or reading it aloud gets all 64 characters), shows it on hover
 * (`title`) and, focused from the keyboard, unfolds to full width.
 */
function Hash({ hash, t }: { hash: string | null; t: T }) {
  if (!hash) return <code data-testid="hash">{t("audit.notChained")}</code>;
  return (
    <code
      className="hash"
      title={t("audit.hashHint", { hash })}
      tabIndex={0}
      translate="no"
      data-testid="hash"
    >
      {hash}
    </code>
  );
}

/** The audit trail for admins: filters in the URL, each row with its place in the hash chain. */
async function AuditPage({ searchParams }: Props) {
  await requireStaff("admin");
  const query = parseAuditLogQuery(await searchParams);
  const [status, { rows, hasNext, actors, actions }, t] = await Promise.all([
    latestChainStatus(),
    loadAuditLog(query),
    getTranslations("ConsoleAdmin"),
  ]);
  const href = (changes: Parameters<typeof auditLogSearch>[1]) =>
    `/admin/audit?${auditLogSearch(query, changes).toString()}`;
  return (
    <>
      <h1>{t("audit.title")}</h1>
      <ChainStatusCard status={status} t={t} />
      <form className="filters" method="get" data-testid="audit-filters">
        <label>
          {t("audit.actor")}{" "}
          <select name="actor" defaultValue={query.actor ?? ""}>
            <option value="">{t("audit.anyone")}</option>
            {actors.map((a) => (
              <option key={a.value} value={a.value}>
                {t("audit.actorChoice", { kind: a.kind, name: a.name })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("audit.caseId")} <input name="case" defaultValue={query.case ?? ""} size={36} />
        </label>
        <label>
          {t("audit.action")}{" "}
          <input name="action" defaultValue={query.action ?? ""} list="audit-actions" />
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          {t("audit.from")} <input type="date" name="from" defaultValue={query.from ?? ""} />
        </label>
        <label>
          {t("audit.to")} <input type="date" name="to" defaultValue={query.to ?? ""} />
        </label>
        <button className="button" type="submit">
          {t("audit.filter")}
        </button>
        <Link href="/admin/audit">{t("audit.clear")}</Link>
        <a
          href={`/admin/audit/export?${auditLogSearch(query, { page: 1 }).toString()}`}
          data-testid="export-csv"
        >
          {t("audit.export")}
        </a>
      </form>
      <p className="muted">{t("csvNote")}</p>
      {rows.length === 0 ? (
        <p className="muted" data-testid="audit-empty">
          {t("audit.empty")}
        </p>
      ) : (
        <table className="queue audit-log" data-testid="audit-rows">
          <thead>
            <tr>
              <th>{t("audit.time")}</th>
              <th>{t("audit.actor")}</th>
              <th>{t("audit.action")}</th>
              <th>{t("audit.case")}</th>
              <th>{t("audit.details")}</th>
              <th>{t("audit.chain")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-seq={row.seq ?? ""} data-action={row.action}>
                <td className="nowrap">
                  <Time at={row.occurredAt} />
                </td>
                <td data-testid="actor">
                  <Link
                    href={href({
                      actor:
                        row.actorType === "ctrader" ? "ctrader" : `${row.actorType}:${row.actorId}`,
                      page: 1,
                    })}
                  >
                    {row.actorName ?? t("audit.unknownActor", { type: row.actorType })}
                  </Link>
                  <br />
                  <span className="muted">{t("audit.actorType", { type: row.actorType })}</span>
                </td>
                <td className="nowrap">
                  <code>{row.action}</code>
                </td>
                <td>
                  {row.caseId ? (
                    <Link href={`/admin/cases/${row.caseId}`}>{row.caseId.slice(0, 8)}</Link>
                  ) : null}
                </td>
                <td>
                  <AuditFacts data={row.data} />
                </td>
                <td>
                  <span className="muted">{t("audit.seq", { seq: row.seq ?? "-" })}</span>
                  <br />
                  <Hash hash={row.hash} t={t} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="actions" aria-label={t("audit.pages")}>
        {query.page > 1 ? (
          <Link href={href({ page: query.page - 1 })}>{t("audit.newer")}</Link>
        ) : null}
        <span className="muted">{t("audit.page", { page: query.page })}</span>
        {hasNext ? <Link href={href({ page: query.page + 1 })}>{t("audit.older")}</Link> : null}
      </nav>
    </>
  );
}

export default withPageScope(AuditPage);
