import { getTranslations } from "@/lib/i18n/translations";
import { CASE_STATE_LINES, CONSOLE_REFUSALS, CONTROL_WHY } from "@/lib/review/console-messages";
import type { CaseFile } from "@/lib/review/case-file";
import type { Control } from "@/lib/review/controls";
import { ConfirmButton } from "./confirm-button";
import {
  approveAction,
  claimAction,
  rejectAction,
  reopenAction,
  requestAction,
  resumeReviewAction,
  takeOverAction,
} from "../../../actions";

const DOCUMENT_TYPES = ["identity", "address", "additional"] as const;

/** Why a control is not this person's to use, beside it. */
function Why({ control, name }: { control: Control | undefined; name: string }) {
  if (!control || control.enabled) return null;
  return (
    <p className="muted" data-testid="why" data-control={name} data-why={control.why}>
      {CONTROL_WHY[control.why]}
    </p>
  );
}

function CaseId({ file }: { file: CaseFile }) {
  return <input type="hidden" name="caseId" value={file.kycCase.id} />;
}

/** Who holds the case; anyone else takes it over (audited) before deciding. */
function Holder({ file }: { file: CaseFile }) {
  const { assignee, controls } = file;
  if (controls.takeOver && assignee)
    return (
      <form action={takeOverAction} className="stack">
        <CaseId file={file} />
        <p className="alert" data-testid="claimed-by">
          Claimed by {assignee.name}. Take the case over to decide on it; the take-over is audited
          and {assignee.name} no longer holds it.
        </p>
        <button className="button secondary" type="submit" data-testid="take-over">
          Take over
        </button>
      </form>
    );
  if (controls.claim)
    return (
      <form action={claimAction}>
        <CaseId file={file} />
        <button className="button secondary" type="submit" data-testid="claim">
          Claim
        </button>
      </form>
    );
  if (assignee?.me)
    return (
      <p className="muted" data-testid="claimed-by">
        You hold this case.
      </p>
    );
  return null;
}

/** The trader's language, and what the reason catalog says in it. */
function TraderLanguage({ file }: { file: CaseFile }) {
  const { language } = file;
  return (
    <p className="muted" data-testid="trader-language" data-lang={language.code}>
      The trader reads {language.name} ({language.code}). What you write is sent as written.
    </p>
  );
}

function ReasonPreview({ file, codes }: { file: CaseFile; codes: readonly string[] }) {
  const { language } = file;
  return (
    <details data-testid="reason-preview">
      <summary>What the trader reads for each reason, in {language.name}</summary>
      <dl className="facts">
        {codes.map((code) => (
          <div key={code} style={{ display: "contents" }}>
            <dt>{code}</dt>
            <dd lang={language.code} dir={language.dir} data-reason={code}>
              {language.reasonTexts[code] ?? "—"}
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

type ConfirmWords = { approve: string; reject: string; yes: string; cancel: string };

function Approve({ file, confirm }: { file: CaseFile; confirm: ConfirmWords }) {
  const { kycCase, approval, controls } = file;
  const control = controls.approve;
  if (!control) return null;
  const blocked = approval.blocker;
  return (
    <form action={approveAction}>
      <CaseId file={file} />
      {blocked ? (
        <p className="alert" data-testid="approve-blocked" data-blocker={blocked}>
          {CONSOLE_REFUSALS[blocked]}
        </p>
      ) : null}
      {kycCase.fourEyesRequired && !blocked ? (
        <p className="muted" data-testid="four-eyes">
          Four eyes:{" "}
          {approval.signatures === 0
            ? "no signature yet; a second, different approver co-signs"
            : approval.signedByMe && !approval.signedByOther
              ? "you signed; waiting for a second approver"
              : "signed by another person; an approver co-signs"}
          .
        </p>
      ) : null}
      {control.enabled || control.why === blocked ? null : <Why control={control} name="approve" />}
      <ConfirmButton
        testId="approve"
        disabled={!control.enabled}
        question={confirm.approve}
        yes={confirm.yes}
        cancel={confirm.cancel}
      >
        {blocked === "checks_running"
          ? "Checks running"
          : controls.coSign
            ? "Co-sign approval"
            : "Approve"}
      </ConfirmButton>
    </form>
  );
}

function Reject({ file, confirm }: { file: CaseFile; confirm: ConfirmWords }) {
  const { controls } = file;
  const withdraw = controls.revoke !== undefined;
  const control = controls.revoke ?? controls.reject;
  if (!control) return null;
  if (!control.enabled && control.why !== "not_assignee")
    return <Why control={control} name={withdraw ? "revoke" : "reject"} />;
  return (
    <form action={rejectAction} className="stack">
      <CaseId file={file} />
      <label htmlFor="reasonCode">
        {withdraw ? "Withdraw the approval, with reason" : "Reject with reason"}
      </label>
      <select id="reasonCode" name="reasonCode" required data-testid="reject-reason">
        {file.reasons.map((r) => (
          <option key={r.code} value={r.code}>
            {r.code} ({r.kind}) — {r.internal}
          </option>
        ))}
      </select>
      <TraderLanguage file={file} />
      <ReasonPreview file={file} codes={file.reasons.map((r) => r.code)} />
      <label htmlFor="rejectNote">Internal note (never shown to the trader)</label>
      <textarea id="rejectNote" name="internalNote" rows={2} maxLength={2000} />
      <Why control={control} name={withdraw ? "revoke" : "reject"} />
      <ConfirmButton
        className="button secondary"
        testId="reject"
        disabled={!control.enabled}
        question={confirm.reject}
        yes={confirm.yes}
        cancel={confirm.cancel}
      >
        {withdraw ? "Withdraw approval" : "Reject"}
      </ConfirmButton>
    </form>
  );
}

function RequestInformation({ file, prefill }: { file: CaseFile; prefill?: string }) {
  const { kycCase, controls, language } = file;
  const control = controls.requestInformation;
  if (!control) return null;
  const starters = file.reasons.filter((r) => r.kind === "retry");
  const start = starters.some((r) => r.code === prefill)
    ? language.reasonTexts[prefill ?? ""]
    : undefined;
  return (
    <form action={requestAction} className="stack" id="request">
      <CaseId file={file} />
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
      <TraderLanguage file={file} />
      {starters.length > 0 ? (
        <details data-testid="message-starters" open={Boolean(start)}>
          <summary>Start from the reason catalog, in {language.name}</summary>
          <ul>
            {starters.map((r) => (
              <li key={r.code}>
                <a href={`/admin/cases/${kycCase.id}?prefill=${r.code}#request`}>{r.code}</a>:{" "}
                <span lang={language.code} dir={language.dir} data-reason={r.code}>
                  {language.reasonTexts[r.code] ?? "—"}
                </span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <textarea
        id="message"
        name="message"
        rows={3}
        maxLength={2000}
        required
        lang={language.code}
        dir={language.dir}
        defaultValue={start}
        data-testid="message"
      />
      <Why control={control} name="requestInformation" />
      <button
        className="button secondary"
        type="submit"
        data-testid="request"
        disabled={!control.enabled}
      >
        Request more information
      </button>
    </form>
  );
}

/** The decisions staff can take on the case in its state, and why any is not theirs to take. */
export async function Decide({ file, prefill }: { file: CaseFile; prefill?: string }) {
  const { kycCase, controls } = file;
  const t = await getTranslations("Confirm");
  const confirm = {
    approve: t("approve"),
    reject: t("reject"),
    yes: t("yes"),
    cancel: t("cancel"),
  };
  const rejection = file.finalRejection
    ? " The rejection is final."
    : kycCase.status === "rejected"
      ? " The trader may fix the named items and send again."
      : "";
  return (
    <section className="card" data-testid="decisions" aria-labelledby="decide-title">
      <h2 id="decide-title">Decide</h2>
      <p data-testid="decide-state">
        {CASE_STATE_LINES[kycCase.status]}
        {rejection}
      </p>
      <Holder file={file} />
      <Approve file={file} confirm={confirm} />
      {controls.resumeReview ? (
        <form action={resumeReviewAction}>
          <CaseId file={file} />
          <p className="muted">
            The case waits for the trader. Take it back into review to decide without their answer.
          </p>
          <Why control={controls.resumeReview} name="resumeReview" />
          <button
            className="button secondary"
            type="submit"
            data-testid="resume-review"
            disabled={!controls.resumeReview.enabled}
          >
            Take back into review
          </button>
        </form>
      ) : null}
      <Reject file={file} confirm={confirm} />
      <RequestInformation file={file} prefill={prefill} />
      {controls.reopen?.enabled ? (
        <form action={reopenAction} className="stack">
          <CaseId file={file} />
          <label htmlFor="reopenReason">Reopen this rejected case: why (audited)</label>
          <textarea id="reopenReason" name="reason" rows={2} maxLength={2000} required />
          <button className="button secondary" type="submit" data-testid="reopen">
            Reopen for review
          </button>
        </form>
      ) : (
        <Why control={controls.reopen} name="reopen" />
      )}
    </section>
  );
}
