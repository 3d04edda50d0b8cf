import { getLocale } from "next-intl/server";
import { getTranslations } from "@/lib/i18n/translations";
import type { CaseFile } from "@/lib/review/case-file";
import { caseHref } from "@/lib/review/queue";
import { getConsoleLabels, type ConsoleLabels } from "@/lib/review/labels";
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
import { getCaseWords } from "./words";
import { CaseFields } from "./case-fields";

type Words = Awaited<ReturnType<typeof getCaseWords>> & {
  label: ConsoleLabels;
  /** The trader's language, named in the officer's. */
  traderLanguage: string;
};

const DOCUMENT_TYPES = ["identity", "address", "additional"] as const;

/** The documents a reviewer can ask for again: the selfie only where the case's level has one. */
function requestableDocuments(file: CaseFile) {
  const { steps, otherDocuments } = file.progress.requirements;
  const selfie = [...steps.flatMap((s) => s.documents), ...otherDocuments].some(
    (d) => d.documentType === "selfie",
  );
  return selfie ? [...DOCUMENT_TYPES, "selfie" as const] : DOCUMENT_TYPES;
}

/** Why a control is not this person's to use, beside it. */
function Why({ control, name, w }: { control: Control | undefined; name: string; w: Words }) {
  if (!control || control.enabled) return null;
  return (
    <p className="muted" data-testid="why" data-control={name} data-why={control.why}>
      {w.why(control.why)}
    </p>
  );
}

/** Who holds the case; anyone else takes it over (audited) before deciding. */
function Holder({ file, w: { t } }: { file: CaseFile; w: Words }) {
  const { assignee, controls } = file;
  if (controls.takeOver && assignee)
    return (
      <form action={takeOverAction} className="stack">
        <CaseFields file={file} />
        <p className="alert" data-testid="claimed-by">
          {t("decide.claimedBy", { name: assignee.name ?? t("formerStaff") })}
        </p>
        <button className="button secondary" type="submit" data-testid="take-over">
          {t("decide.takeOver")}
        </button>
      </form>
    );
  if (controls.claim)
    return (
      <form action={claimAction}>
        <CaseFields file={file} />
        <button className="button secondary" type="submit" data-testid="claim">
          {t("decide.claim")}
        </button>
      </form>
    );
  if (assignee?.me)
    return (
      <p className="muted" data-testid="claimed-by">
        {t("decide.youHold")}
      </p>
    );
  return null;
}

/** The trader's language, and what the reason catalog says in it. */
function TraderLanguage({ file, w }: { file: CaseFile; w: Words }) {
  const { language } = file;
  return (
    <p className="muted" data-testid="trader-language" data-lang={language.code}>
      {w.t("decide.traderLanguage", { language: w.traderLanguage, code: language.code })}
    </p>
  );
}

function ReasonPreview({ file, codes, w }: { file: CaseFile; codes: readonly string[]; w: Words }) {
  const { language } = file;
  return (
    <details data-testid="reason-preview">
      <summary>{w.t("decide.reasonPreview", { language: w.traderLanguage })}</summary>
      <dl className="facts">
        {codes.map((code) => (
          <div key={code} style={{ display: "contents" }}>
            <dt>{w.label.reason(code)}</dt>
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

function Approve({ file, confirm, w }: { file: CaseFile; confirm: ConfirmWords; w: Words }) {
  const { t } = w;
  const { kycCase, approval, controls } = file;
  const control = controls.approve;
  if (!control) return null;
  const blocked = approval.blocker;
  return (
    <form action={approveAction}>
      <CaseFields file={file} />
      {blocked ? (
        <p className="alert" data-testid="approve-blocked" data-blocker={blocked}>
          {t(`refusal.${blocked}`)}
        </p>
      ) : null}
      {kycCase.fourEyesRequired && !blocked ? (
        <p className="muted" data-testid="four-eyes">
          {t("decide.fourEyes", {
            signatures:
              approval.signatures === 0
                ? "none"
                : approval.signedByMe && !approval.signedByOther
                  ? "mine"
                  : "other",
          })}
        </p>
      ) : null}
      {control.enabled || control.why === blocked ? null : (
        <Why control={control} name="approve" w={w} />
      )}
      <ConfirmButton
        testId="approve"
        disabled={!control.enabled}
        question={confirm.approve}
        yes={confirm.yes}
        cancel={confirm.cancel}
      >
        {blocked === "checks_running"
          ? t("decide.checksRunning")
          : controls.coSign
            ? t("decide.coSign")
            : t("decide.approve")}
      </ConfirmButton>
    </form>
  );
}

function Reject({ file, confirm, w }: { file: CaseFile; confirm: ConfirmWords; w: Words }) {
  const { t } = w;
  const { controls } = file;
  const withdraw = controls.revoke !== undefined;
  const control = controls.revoke ?? controls.reject;
  if (!control) return null;
  if (!control.enabled && control.why !== "not_assignee")
    return <Why control={control} name={withdraw ? "revoke" : "reject"} w={w} />;
  return (
    <form action={rejectAction} className="stack">
      <CaseFields file={file} />
      <label htmlFor="reasonCode">
        {withdraw ? t("decide.withdrawWithReason") : t("decide.rejectWithReason")}
      </label>
      <select id="reasonCode" name="reasonCode" required data-testid="reject-reason">
        {file.reasons.map((r) => (
          <option key={r.code} value={r.code}>
            {w.label.reason(r.code)} ({t("decide.reasonKind", { kind: r.kind })})
          </option>
        ))}
      </select>
      <TraderLanguage file={file} w={w} />
      <ReasonPreview file={file} codes={file.reasons.map((r) => r.code)} w={w} />
      <label htmlFor="rejectNote">{t("decide.internalNote")}</label>
      <textarea id="rejectNote" name="internalNote" rows={2} maxLength={2000} />
      <Why control={control} name={withdraw ? "revoke" : "reject"} w={w} />
      <ConfirmButton
        className="button secondary"
        testId="reject"
        disabled={!control.enabled}
        question={confirm.reject}
        yes={confirm.yes}
        cancel={confirm.cancel}
      >
        {withdraw ? t("decide.withdraw") : t("decide.reject")}
      </ConfirmButton>
    </form>
  );
}

function RequestInformation({ file, prefill, w }: { file: CaseFile; prefill?: string; w: Words }) {
  const { t } = w;
  const { kycCase, controls, language } = file;
  const control = controls.requestInformation;
  if (!control) return null;
  const starters = file.reasons.filter((r) => r.kind === "retry");
  // A starter reloads the page with its text: in the same queue, so j / k still walk it.
  const starterHref = (code: string) =>
    `${caseHref(kycCase.id, file.neighbours.fromQueue ? file.neighbours.query : "", { prefill: code })}#request`;
  const start = starters.some((r) => r.code === prefill)
    ? language.reasonTexts[prefill ?? ""]
    : undefined;
  return (
    <form action={requestAction} className="stack" id="request">
      <CaseFields file={file} />
      <fieldset>
        <legend>{t("decide.askToRedo")}</legend>
        {file.progress.requirements.steps.map((s) => (
          <label className="choice" key={s.step}>
            <input type="checkbox" name="items" value={`step:${s.step}`} /> {w.label.step(s.step)}
          </label>
        ))}
        {requestableDocuments(file).map((d) => (
          <div className="stack" key={d}>
            <label className="choice">
              <input type="checkbox" name="items" value={`document:${d}`} />{" "}
              {w.label.documentType(d)}
            </label>
            <input
              type="text"
              name={`reason:${d}`}
              maxLength={1000}
              lang={language.code}
              dir={language.dir}
              aria-label={t("decide.itemReason", { item: w.label.documentType(d) })}
              placeholder={t("decide.itemReason", { item: w.label.documentType(d) })}
              data-testid={`item-reason-${d}`}
            />
          </div>
        ))}
      </fieldset>
      <label htmlFor="message">{t("decide.messageForTrader")}</label>
      <TraderLanguage file={file} w={w} />
      {starters.length > 0 ? (
        <details data-testid="message-starters" open={Boolean(start)}>
          <summary>{t("decide.starters", { language: w.traderLanguage })}</summary>
          <ul>
            {starters.map((r) => (
              <li key={r.code}>
                <a href={starterHref(r.code)}>{w.label.reason(r.code)}</a>:{" "}
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
      <Why control={control} name="requestInformation" w={w} />
      <button
        className="button secondary"
        type="submit"
        data-testid="request"
        disabled={!control.enabled}
      >
        {t("decide.request")}
      </button>
    </form>
  );
}

/** The decisions staff can take on the case in its state, and why any is not theirs to take. */
export async function Decide({ file, prefill }: { file: CaseFile; prefill?: string }) {
  const { kycCase, controls } = file;
  const [tConfirm, words, label, locale] = await Promise.all([
    getTranslations("Confirm"),
    getCaseWords(),
    getConsoleLabels(),
    getLocale(),
  ]);
  const { t } = words;
  const w: Words = {
    ...words,
    label,
    traderLanguage:
      new Intl.DisplayNames([locale], { type: "language" }).of(file.language.code) ??
      file.language.name,
  };
  const confirm = {
    approve: tConfirm("approve"),
    reject: tConfirm("reject"),
    yes: tConfirm("yes"),
    cancel: tConfirm("cancel"),
  };
  const rejection = file.finalRejection
    ? t("decide.rejectionFinal")
    : kycCase.status === "rejected"
      ? t("decide.rejectionRetry")
      : null;
  return (
    <section className="card" data-testid="decisions" aria-labelledby="decide-title">
      <h2 id="decide-title">{t("decide.title")}</h2>
      <p data-testid="decide-state">
        {t(`state.${kycCase.status}`)}
        {rejection ? ` ${rejection}` : null}
      </p>
      <Holder file={file} w={w} />
      <Approve file={file} confirm={confirm} w={w} />
      {controls.resumeReview ? (
        <form action={resumeReviewAction}>
          <CaseFields file={file} />
          <p className="muted">{t("decide.waitsForTrader")}</p>
          <Why control={controls.resumeReview} name="resumeReview" w={w} />
          <button
            className="button secondary"
            type="submit"
            data-testid="resume-review"
            disabled={!controls.resumeReview.enabled}
          >
            {t("decide.resumeReview")}
          </button>
        </form>
      ) : null}
      <Reject file={file} confirm={confirm} w={w} />
      <RequestInformation file={file} prefill={prefill} w={w} />
      {controls.reopen?.enabled ? (
        <form action={reopenAction} className="stack">
          <CaseFields file={file} />
          <label htmlFor="reopenReason">{t("decide.reopenWhy")}</label>
          <textarea id="reopenReason" name="reason" rows={2} maxLength={2000} required />
          <ConfirmButton
            className="button secondary"
            testId="reopen"
            question={tConfirm("reopen")}
            yes={confirm.yes}
            cancel={confirm.cancel}
          >
            {t("decide.reopen")}
          </ConfirmButton>
        </form>
      ) : (
        <Why control={controls.reopen} name="reopen" w={w} />
      )}
    </section>
  );
}
