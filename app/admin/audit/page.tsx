import Link from "next/link";
import { latestChainStatus, type ChainStatus } from "@/lib/audit/check";
import { loadAuditLog } from "@/lib/audit/console";
import { auditLogSearch, parseAuditLogQuery } from "@/lib/audit/log-query";
import { withPageScope } from "@/lib/http/action-scope";
import { requireStaff } from "@/lib/staff/console";
import { Time } from "../cases/[id]/_sections/value";
import { verifyChainAction } from "./actions";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const PROBLEMS: Record<string, string> = {
  hash_mismatch: "a row's content no longer gives its hash (edited)",
  gap: "a row is missing (deleted)",
  prev_mismatch: "a row does not link to the one before (deleted or reordered)",
  unchained: "a row was inserted around the chain",
  head_mismatch: "a signed position now holds another hash (rewritten and re-chained)",
  tail_cut: "rows after a signed position were cut off",
  bad_signature: "a signed head was not signed by a configured key",
  unsigned: "a verification key is set but no signed head exists",
};

function ChainStatusCard({ status }: { status: ChainStatus }) {
  return (
    <section className="card" aria-labelledby="chain-title" data-testid="chain-status">
      <h2 id="chain-title">Chain verification</h2>
      {status.state === "unverified" ? (
        <p data-state="unverified">Not verified yet.</p>
      ) : status.state === "intact" ? (
        <p className="notice" data-state="intact">
          Intact: {status.rows} rows verified
          {status.keysChecked
            ? `, ${status.signedHeads} signed heads checked`
            : ", signed heads not checked (no verification key)"}
          .
        </p>
      ) : (
        <p className="alert" data-state="broken">
          Broken at seq {status.brokenSeq ?? "-"}:{" "}
          {PROBLEMS[status.problem ?? ""] ?? status.problem}. {status.rows} rows before it verified.
        </p>
      )}
      {status.state !== "unverified" ? (
        <p className="muted">
          Verified <Time at={status.verifiedAt} />{" "}
          {status.by ? `by ${status.by}` : "on the schedule"}, as <code>npm run audit:verify</code>{" "}
          checks it.
        </p>
      ) : null}
      <form action={verifyChainAction}>
        <button className="button secondary" type="submit" data-testid="verify-now">
          Verify now (audited)
        </button>
      </form>
    </section>
  );
}

/** The audit trail for admins: filters in the URL, each row with its place in the hash chain. */
async function AuditPage({ searchParams }: Props) {
  await requireStaff("admin");
  const query = parseAuditLogQuery(await searchParams);
  const [status, { rows, hasNext, actors, actions }] = await Promise.all([
    latestChainStatus(),
    loadAuditLog(query),
  ]);
  const href = (changes: Parameters<typeof auditLogSearch>[1]) =>
    `/admin/audit?${auditLogSearch(query, changes).toString()}`;
  return (
    <>
      <h1>Audit trail</h1>
      <ChainStatusCard status={status} />
      <form className="filters" method="get" data-testid="audit-filters">
        <label>
          Actor{" "}
          <select name="actor" defaultValue={query.actor ?? ""}>
            <option value="">Anyone</option>
            {actors.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Case id <input name="case" defaultValue={query.case ?? ""} size={36} />
        </label>
        <label>
          Action <input name="action" defaultValue={query.action ?? ""} list="audit-actions" />
          <datalist id="audit-actions">
            {actions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          From <input type="date" name="from" defaultValue={query.from ?? ""} />
        </label>
        <label>
          To <input type="date" name="to" defaultValue={query.to ?? ""} />
        </label>
        <button className="button" type="submit">
          Filter
        </button>
        <Link href="/admin/audit">Clear</Link>
        <a
          href={`/admin/audit/export?${auditLogSearch(query, { page: 1 }).toString()}`}
          data-testid="export-csv"
        >
          Export CSV (audited)
        </a>
      </form>
      {rows.length === 0 ? (
        <p className="muted" data-testid="audit-empty">
          No audit rows match these filters.
        </p>
      ) : (
        <table className="queue audit-log" data-testid="audit-rows">
          <thead>
            <tr>
              <th>Time</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Case</th>
              <th>Details</th>
              <th>Chain</th>
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
                    {row.actorName}
                  </Link>
                  <br />
                  <span className="muted">{row.actorType}</span>
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
                  <pre>{JSON.stringify(row.data)}</pre>
                </td>
                <td>
                  <span className="muted">seq {row.seq ?? "-"}</span>
                  <br />
                  <code className="hash" data-testid="hash">
                    {row.hash ?? "not chained"}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="actions" aria-label="Pages">
        {query.page > 1 ? <Link href={href({ page: query.page - 1 })}>Newer</Link> : null}
        <span className="muted">Page {query.page}</span>
        {hasNext ? <Link href={href({ page: query.page + 1 })}>Older</Link> : null}
      </nav>
    </>
  );
}

export default withPageScope(AuditPage);
