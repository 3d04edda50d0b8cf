import { assignAction } from "../../../actions";
import type { CaseFile } from "@/lib/review/case-file";
import { getCaseWords } from "./words";

const upgrading = (kycCase: CaseFile["kycCase"]) =>
  kycCase.approvedLevel !== null &&
  kycCase.approvedLevel !== kycCase.level &&
  kycCase.status !== "approved";

export async function Summary({ file }: { file: CaseFile }) {
  const { why } = await getCaseWords();
  const { kycCase, trader, team } = file;
  return (
    <section className="card" aria-labelledby="summary-title">
      <h2 id="summary-title" className="visually-hidden">
        Summary
      </h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="case-status">{kycCase.status}</dd>
        <dt>Risk</dt>
        <dd data-testid="case-risk">
          {kycCase.riskLevel ?? "not assessed yet"}
          {kycCase.fourEyesRequired ? " · four eyes required" : ""}
          {file.hits.some((h) => h.level === "likely") ? " · escalated (likely sanctions hit)" : ""}
        </dd>
        <dt>Level</dt>
        <dd data-testid="case-level">
          {kycCase.level}
          {upgrading(kycCase)
            ? ` · upgrade from ${kycCase.approvedLevel}, which stays in force until this is decided; rejecting declines the upgrade only`
            : ""}
        </dd>
        <dt>Submission round</dt>
        <dd>{kycCase.round}</dd>
        <dt>cTrader user</dt>
        <dd>
          {trader?.ctraderUserId} · login {trader?.tradingLogin ?? "—"}
        </dd>
        <dt>Trading account</dt>
        <dd data-testid="case-account">{kycCase.account ?? "not named by cTrader"}</dd>
        <dt>Assigned</dt>
        <dd data-testid="assignee-name">
          {file.assignee ? (file.assignee.me ? "you" : file.assignee.name) : "nobody"}
        </dd>
      </dl>
      {file.monitoringTask ? (
        <p className="alert" data-testid="monitoring-task">
          Monitoring hit: a re-screening found a new likely match for this approved trader on{" "}
          {file.monitoringTask.openedAt.toISOString().slice(0, 10)}. The trader&apos;s account is
          restricted until the hit is cleared or the approval withdrawn.
        </p>
      ) : null}
      {file.periodicReview ? (
        <div className="alert" data-testid="periodic-review-task">
          <p>
            Periodic review due since {file.periodicReview.openedAt.toISOString().slice(0, 10)}
            {file.periodicReview.data
              ? `: last reviewed ${file.periodicReview.data.lastReviewAt.slice(0, 10)}, every ${file.periodicReview.data.months} months at ${file.periodicReview.data.riskLevel ?? "unknown"} risk.`
              : "."}
          </p>
          {file.periodicReview.data ? (
            <ul data-testid="periodic-review-changes">
              <li>
                Case events since:{" "}
                {file.periodicReview.data.changes.events.map((e) => e.event).join(", ") || "none"}
              </li>
              <li>
                Screening lists updated since:{" "}
                {file.periodicReview.data.changes.lists.map((l) => l.source).join(", ") || "none"}
              </li>
              <li>Documents uploaded since: {file.periodicReview.data.changes.documents}</li>
            </ul>
          ) : null}
        </div>
      ) : null}
      {file.controls.assign && team.length > 0 ? (
        <form action={assignAction} className="filters">
          <input type="hidden" name="caseId" value={kycCase.id} />
          <label>
            Assign to{" "}
            <select name="assignee" defaultValue={kycCase.assignedTo ?? ""} data-testid="assignee">
              <option value="">Nobody</option>
              {team.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName} ({m.role})
                </option>
              ))}
            </select>
          </label>
          <button className="button secondary" type="submit">
            Assign
          </button>
        </form>
      ) : null}
      {file.controls.export.enabled ? (
        <p>
          <a href={`/admin/cases/${kycCase.id}/export`} data-testid="export">
            Evidence export (JSON)
          </a>
          {" · "}
          <a href={`/admin/cases/${kycCase.id}/export?format=html`} data-testid="export-html">
            Printable evidence
          </a>
        </p>
      ) : (
        <p
          className="muted"
          data-testid="why"
          data-control="export"
          data-why={file.controls.export.why}
        >
          {why(file.controls.export.why)}
        </p>
      )}
    </section>
  );
}
