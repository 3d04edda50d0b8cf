import Link from "next/link";
import { withPageScope } from "@/lib/http/action-scope";
import { listRetention } from "@/lib/retention/view";
import { requireStaff } from "@/lib/staff/console";

const day = (d: Date | string | null) => (d ? new Date(d).toISOString().slice(0, 10) : "—");

/** What the retention purge erased (tombstones) and which cases are on legal hold. */
async function RetentionPage() {
  await requireStaff("admin");
  const rows = await listRetention();
  const purged = rows.filter((r) => r.kind === "purged");
  const held = rows.filter((r) => r.kind === "hold");
  return (
    <>
      <h1>Retention</h1>
      <section className="card" aria-labelledby="held-title">
        <h2 id="held-title">On legal hold</h2>
        {held.length === 0 ? <p>No case is on legal hold.</p> : null}
        <ul data-testid="held">
          {held.map((r) => (
            <li key={r.caseId} data-case={r.caseId}>
              <Link href={`/admin/cases/${r.caseId}`}>{r.caseId}</Link> since {day(r.at)}:{" "}
              {r.kind === "hold" ? r.reason : ""}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="purged-title">
        <h2 id="purged-title">Erased</h2>
        {purged.length === 0 ? <p>Nothing was erased yet.</p> : null}
        <table data-testid="purged">
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Rule</th>
              <th scope="col">Outcome</th>
              <th scope="col">Opened</th>
              <th scope="col">Decided</th>
              <th scope="col">Erased</th>
              <th scope="col">Documents</th>
            </tr>
          </thead>
          <tbody>
            {purged.map((r) =>
              r.kind === "purged" ? (
                <tr key={r.caseId} data-case={r.caseId} data-rule={r.tombstone.rule}>
                  <td>{r.caseId}</td>
                  <td>{r.tombstone.rule}</td>
                  <td>{r.tombstone.outcome}</td>
                  <td>{day(r.tombstone.openedAt)}</td>
                  <td>{day(r.tombstone.decidedAt)}</td>
                  <td>{day(r.at)}</td>
                  <td>{r.tombstone.documents.length}</td>
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </section>
    </>
  );
}

export default withPageScope(RetentionPage);
