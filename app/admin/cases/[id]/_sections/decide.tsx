import { CONSOLE_REFUSALS } from "@/lib/review/console-messages";
import type { CaseFile } from "@/lib/review/case-file";
import { REJECT_REASONS } from "@/lib/review/reasons";
import {
  approveAction,
  claimAction,
  rejectAction,
  reopenAction,
  requestAction,
  resumeReviewAction,
} from "../../../actions";

const DOCUMENT_TYPES = ["identity", "address", "additional"] as const;

/** The decisions staff can take on the case in its state; none is ever missing for an open case. */
export function Decide({ file }: { file: CaseFile }) {
  const { kycCase, can, approval } = file;
  const any =
    can.claim || can.approve || can.reject || can.resumeReview || can.revoke || can.reopen;
  if (!any) return null;
  const blocked = approval.blocker;
  const reasons = can.revoke ? REJECT_REASONS.filter((r) => r.kind === "final") : REJECT_REASONS;
  return (
    <section className="card" data-testid="decisions" aria-labelledby="decide-title">
      <h2 id="decide-title">Decide</h2>
      {can.claim ? (
        <form action={claimAction}>
          <input type="hidden" name="caseId" value={kycCase.id} />
          <button className="button secondary" type="submit" data-testid="claim">
            Claim
          </button>
        </form>
      ) : null}
      {can.approve ? (
        <form action={approveAction}>
          <input type="hidden" name="caseId" value={kycCase.id} />
          {blocked ? (
            <p className="alert" data-testid="approve-blocked" data-blocker={blocked}>
              {CONSOLE_REFUSALS[blocked]}
            </p>
          ) : null}
          {kycCase.fourEyesRequired && !blocked ? (
            <p className="muted" data-testid="four-eyes">
              Four eyes:{" "}
              {approval.signatures === 0
                ? "no signature yet"
                : approval.signedByMe && !approval.signedByOther
                  ? "you signed; waiting for a second approver"
                  : "signed by another reviewer; an approver may co-sign"}
              .
            </p>
          ) : null}
          <button
            className="button"
            type="submit"
            data-testid="approve"
            disabled={Boolean(blocked) || (approval.signedByMe && !approval.signedByOther)}
          >
            {blocked === "checks_running"
              ? "Checks running"
              : approval.signedByOther
                ? "Co-sign approval"
                : "Approve"}
          </button>
        </form>
      ) : null}
      {can.resumeReview ? (
        <form action={resumeReviewAction}>
          <input type="hidden" name="caseId" value={kycCase.id} />
          <p className="muted">
            The case waits for the trader. Take it back into review to decide without their answer.
          </p>
          <button className="button secondary" type="submit" data-testid="resume-review">
            Take back into review
          </button>
        </form>
      ) : null}
      {can.reject || can.revoke ? (
        <form action={rejectAction} className="stack">
          <input type="hidden" name="caseId" value={kycCase.id} />
          <label htmlFor="reasonCode">
            {can.revoke ? "Withdraw the approval, with reason" : "Reject with reason"}
          </label>
          <select id="reasonCode" name="reasonCode" required data-testid="reject-reason">
            {reasons.map((r) => (
              <option key={r.code} value={r.code}>
                {r.code} ({r.kind}) — {r.internal}
              </option>
            ))}
          </select>
          <label htmlFor="rejectNote">Internal note (never shown to the trader)</label>
          <textarea id="rejectNote" name="internalNote" rows={2} maxLength={2000} />
          <button className="button secondary" type="submit" data-testid="reject">
            {can.revoke ? "Withdraw approval" : "Reject"}
          </button>
        </form>
      ) : null}
      {can.requestInformation ? (
        <form action={requestAction} className="stack">
          <input type="hidden" name="caseId" value={kycCase.id} />
          <fieldset>
            <legend>Ask the trader to redo</legend>
            {file.progress.requirements.steps.map((s) => (
              <label className="choice" key={s.step}>
                <input type="checkbox" name="items" value={`step:${s.step}`} /> {s.step}
              </label>
            ))}
            {DOCUMENT_TYPES.map((d) => (
              <label className="choice" key={d}>
                <input type="checkbox" name="items" value={`document:${d}`} /> document: {d}
              </label>
            ))}
          </fieldset>
          <label htmlFor="message">Message for the trader</label>
          <textarea id="message" name="message" rows={3} maxLength={2000} required />
          <button className="button secondary" type="submit" data-testid="request">
            Request more information
          </button>
        </form>
      ) : null}
      {can.reopen ? (
        <form action={reopenAction} className="stack">
          <input type="hidden" name="caseId" value={kycCase.id} />
          <label htmlFor="reopenReason">Reopen this rejected case: why (audited)</label>
          <textarea id="reopenReason" name="reason" rows={2} maxLength={2000} required />
          <button className="button secondary" type="submit" data-testid="reopen">
            Reopen for review
          </button>
        </form>
      ) : null}
    </section>
  );
}
