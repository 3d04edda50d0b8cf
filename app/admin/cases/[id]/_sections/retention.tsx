import { erasureRequestAction, legalHoldAction, relationshipEndAction } from "../../../actions";
import type { CaseFile } from "@/lib/review/case-file";
import { getCaseRetentionView } from "@/lib/retention/view";

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "—");

export async function Retention({ file, isAdmin }: { file: CaseFile; isAdmin: boolean }) {
  const view = await getCaseRetentionView(file.kycCase.id, file.kycCase.traderId);
  return (
    <section className="card" aria-labelledby="retention-title" data-testid="retention">
      <h2 id="retention-title">Retention</h2>
      {view.tombstone ? (
        <p className="notice" data-testid="tombstone">
          Erased on {day(new Date(view.tombstone.purgedAt))} ({view.tombstone.rule}); outcome{" "}
          {view.tombstone.outcome}. Only the tombstone and the audit trail remain.
        </p>
      ) : (
        <dl className="facts">
          <dt>Relationship ended</dt>
          <dd data-testid="relationship-ended">{day(view.relationshipEndedAt)}</dd>
          <dt>Erased from</dt>
          <dd data-testid="erasure-due">
            {view.legalHold ? "never while on legal hold" : day(view.erasureDue)}
          </dd>
          <dt>Legal hold</dt>
          <dd data-testid="legal-hold">
            {view.legalHold ? `since ${day(view.legalHold.at)}: ${view.legalHold.reason}` : "none"}
          </dd>
        </dl>
      )}
      {view.latestErasureRequest ? (
        <p
          data-testid="erasure-request"
          data-outcome={view.latestErasureRequest.outcome}
          data-reason={view.latestErasureRequest.reason ?? ""}
          data-runs-at={day(view.latestErasureRequest.runsAt).replace("—", "")}
        >
          Erasure requested on {day(view.latestErasureRequest.requestedAt)}:{" "}
          {view.latestErasureRequest.outcome === "executed"
            ? "executed"
            : view.latestErasureRequest.reason === "legal_hold"
              ? "refused — the case is on legal hold"
              : `refused — the retention period is not over; it will run on ${
                  view.latestErasureRequest.runsAt
                    ? day(view.latestErasureRequest.runsAt)
                    : "a date set once the relationship ends"
                }`}
        </p>
      ) : null}
      {isAdmin ? (
        <p>
          <a href={`/admin/traders/${file.kycCase.traderId}/export`} data-testid="subject-export">
            Export everything held about this trader (ZIP, audited)
          </a>
        </p>
      ) : null}
      {isAdmin && !view.tombstone ? (
        <>
          <form action={erasureRequestAction}>
            <input type="hidden" name="caseId" value={file.kycCase.id} />
            <button className="button secondary" type="submit" data-testid="erasure-submit">
              Record the trader&apos;s erasure request
            </button>
          </form>
          <form action={legalHoldAction} className="stack">
            <input type="hidden" name="caseId" value={file.kycCase.id} />
            <input type="hidden" name="hold" value={view.legalHold ? "lift" : "set"} />
            <label htmlFor="holdReason">
              {view.legalHold ? "Lift the legal hold: why (audited)" : "Legal hold: why (audited)"}
            </label>
            <textarea id="holdReason" name="reason" rows={2} maxLength={2000} required />
            <button className="button secondary" type="submit" data-testid="legal-hold-submit">
              {view.legalHold ? "Lift legal hold" : "Set legal hold"}
            </button>
          </form>
          <form action={relationshipEndAction} className="filters">
            <input type="hidden" name="caseId" value={file.kycCase.id} />
            <label htmlFor="endedOn">Business relationship ended on</label>
            <input id="endedOn" name="endedOn" type="date" required />
            <button className="button secondary" type="submit" data-testid="relationship-end">
              Record
            </button>
          </form>
        </>
      ) : null}
    </section>
  );
}
