import Link from "next/link";
import { withPageScope } from "@/lib/http/action-scope";
import { getTranslations } from "@/lib/i18n/translations";
import { getConsoleLabels } from "@/lib/review/labels";
import { listFailedErasures, listRetention, listRetentionDeletions } from "@/lib/retention/view";
import { requireStaff } from "@/lib/staff/console";
import { Value } from "../cases/[id]/_sections/value";

/**
 * Erasure requests that failed and wait to be recorded again, what the retention purge erased
 * (tombstones), what else it deleted (replaced documents, settled outbox events of erased cases,
 * lapsed upgrades rolled back with their unsent uploads), and which cases are on legal hold.
 */
async function RetentionPage() {
  await requireStaff("admin");
  const [
    { rows, purgedTotal },
    { deletions, total: deletedTotal },
    { failed, total: failedTotal },
    t,
    label,
  ] = await Promise.all([
    listRetention(),
    listRetentionDeletions(),
    listFailedErasures(),
    getTranslations("ConsoleAdmin"),
    getConsoleLabels(),
  ]);
  const day = (d: Date | string | null) => (d ? t("day", { at: new Date(d) }) : t("dash"));
  // Under a list cut to its newest rows: how many it shows of how many there are.
  const showingNewest = (testId: string, shown: number, total: number) =>
    total > shown ? (
      <p data-testid={testId}>{t("retention.showingNewest", { shown, total })}</p>
    ) : null;
  const purged = rows.filter((r) => r.kind === "purged");
  const held = rows.filter((r) => r.kind === "hold");
  return (
    <>
      <h1>{t("retention.title")}</h1>
      <section className="card" aria-labelledby="failed-title">
        <h2 id="failed-title">{t("retention.failedTitle")}</h2>
        {failed.length === 0 ? <p>{t("retention.failedEmpty")}</p> : null}
        <ul data-testid="failed-erasures">
          {failed.map((f) => (
            <li key={`${f.caseId}:${f.at.toISOString()}`} data-case={f.caseId}>
              {t.rich("retention.failed", {
                case: () => <Link href={`/admin/cases/${f.caseId}`}>{f.caseId}</Link>,
                at: f.at,
                objects: f.objectsDeleted,
              })}
            </li>
          ))}
        </ul>
        {showingNewest("failed-more", failed.length, failedTotal)}
      </section>
      <section className="card" aria-labelledby="held-title">
        <h2 id="held-title">{t("retention.heldTitle")}</h2>
        {held.length === 0 ? <p>{t("retention.heldEmpty")}</p> : null}
        <ul data-testid="held">
          {held.map((r) => (
            <li key={r.caseId} data-case={r.caseId}>
              {t.rich("retention.held", {
                case: () => <Link href={`/admin/cases/${r.caseId}`}>{r.caseId}</Link>,
                at: r.at,
                reason: r.kind === "hold" ? r.reason : "",
              })}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="purged-title">
        <h2 id="purged-title">{t("retention.purgedTitle")}</h2>
        {purged.length === 0 ? <p>{t("retention.purgedEmpty")}</p> : null}
        <table data-testid="purged">
          <thead>
            <tr>
              <th scope="col">{t("retention.case")}</th>
              <th scope="col">{t("retention.rule")}</th>
              <th scope="col">{t("retention.outcome")}</th>
              <th scope="col">{t("retention.opened")}</th>
              <th scope="col">{t("retention.decided")}</th>
              <th scope="col">{t("retention.erased")}</th>
              <th scope="col">{t("retention.documents")}</th>
            </tr>
          </thead>
          <tbody>
            {purged.map((r) =>
              r.kind !== "purged" ? null : r.tombstone.ok ? (
                <tr key={r.caseId} data-case={r.caseId} data-rule={r.tombstone.tombstone.rule}>
                  <td>{r.caseId}</td>
                  <td>{t("retention.ruleName", { rule: r.tombstone.tombstone.rule })}</td>
                  <td>{label.status(r.tombstone.tombstone.outcome)}</td>
                  <td>{day(r.tombstone.tombstone.openedAt)}</td>
                  <td>{day(r.tombstone.tombstone.decidedAt)}</td>
                  <td>{day(r.at)}</td>
                  <td>{r.tombstone.tombstone.documents.length}</td>
                </tr>
              ) : (
                <tr key={r.caseId} data-case={r.caseId} data-format="unrecognised">
                  <td>{r.caseId}</td>
                  <td colSpan={4}>
                    {t("retention.olderFormat")} <Value value={r.tombstone.raw} />
                  </td>
                  <td>{day(r.at)}</td>
                  <td>{t("dash")}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
        {showingNewest("purged-more", purged.length, purgedTotal)}
      </section>
      <section className="card" aria-labelledby="deleted-title">
        <h2 id="deleted-title">{t("retention.deletedTitle")}</h2>
        {deletions.length === 0 ? <p>{t("retention.deletedEmpty")}</p> : null}
        <table data-testid="deleted">
          <thead>
            <tr>
              <th scope="col">{t("retention.case")}</th>
              <th scope="col">{t("retention.what")}</th>
              <th scope="col">{t("retention.erased")}</th>
            </tr>
          </thead>
          <tbody>
            {deletions.map((d) => (
              <tr
                key={`${d.kind}:${d.caseId}:${d.at.toISOString()}:${d.kind === "document" ? d.documentId : ""}`}
                data-case={d.caseId}
                data-deleted={d.kind}
                {...(d.kind === "document" ? { "data-document": d.documentId } : {})}
                {...(d.kind === "unrecognised" ? { "data-action": d.action } : {})}
              >
                <td>
                  <Link href={`/admin/cases/${d.caseId}`}>{d.caseId}</Link>
                </td>
                <td>
                  {d.kind === "document" ? (
                    t("retention.deletedDocument", { document: d.documentId })
                  ) : d.kind === "upgrade" ? (
                    t("retention.deletedUpgrade", {
                      count: d.documents,
                      touched: new Date(d.touchedAt),
                    })
                  ) : d.kind === "outbox" ? (
                    t("retention.deletedOutbox", { count: d.events })
                  ) : (
                    <>
                      {t("retention.olderFormat")} <code>{d.action}</code> <Value value={d.raw} />
                    </>
                  )}
                </td>
                <td>{day(d.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {showingNewest("deleted-more", deletions.length, deletedTotal)}
      </section>
    </>
  );
}

export default withPageScope(RetentionPage);
