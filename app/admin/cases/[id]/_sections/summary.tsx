import type { ReactNode } from "react";
import {
  assignAction,
  closeMonitoringTaskAction,
  keepApprovalAction,
  periodicReviewAction,
} from "../../../actions";
import { PERIODIC_REVIEW_OUTCOMES } from "@/lib/review/periodic";
import { MIN_REASON_LENGTH } from "@/lib/review/screening-hits";
import type { CaseFile } from "@/lib/review/case-file";
import type { ControlWhy } from "@/lib/review/console-messages";
import type { Control } from "@/lib/review/controls";
import { getTranslations } from "@/lib/i18n/translations";
import { getConsoleLabels } from "@/lib/review/labels";
import { ConfirmButton } from "./confirm-button";
import { Time } from "./value";
import { getCaseWords } from "./words";
import { CaseFields } from "./case-fields";

const upgrading = (kycCase: CaseFile["kycCase"]) =>
  kycCase.approvedLevel !== null &&
  kycCase.approvedLevel !== kycCase.level &&
  kycCase.status !== "approved";

/** Beside a task that stays open past the relationship's end (an AML duty outlives it). */
function RelationshipEnded({ at, text }: { at: Date | null; text: (date: Date) => ReactNode }) {
  return at ? (
    <p data-testid="task-relationship-ended" data-ended={at.toISOString()}>
      {text(at)}
    </p>
  ) : null;
}

/** Why a control that applies is not this person's to use. */
function WhyNot({
  control,
  name,
  why,
}: {
  control: Control | undefined;
  name: string;
  why: (code: ControlWhy) => string;
}) {
  if (!control || control.enabled) return null;
  return (
    <p className="muted" data-testid="why" data-control={name} data-why={control.why}>
      {why(control.why)}
    </p>
  );
}

/** An approver's close of a hold task: a written reason, then the confirmation dialog. */
function ReasonedClose({
  file,
  action,
  name,
  label,
  question,
  confirm,
  shown = {},
  children,
}: {
  file: CaseFile;
  action: (form: FormData) => Promise<void>;
  /** What the page showed of the task, sent back so that the action closes that one only. */
  shown?: Record<string, string>;
  /** The button's test id; the form's is `${name}-form`, the note's id `${name}-note`. */
  name: string;
  label: string;
  question: string;
  confirm: { yes: string; cancel: string };
  children: ReactNode;
}) {
  return (
    <form action={action} className="stack" data-testid={`${name}-form`}>
      <CaseFields file={file} />
      {Object.entries(shown).map(([field, value]) => (
        <input key={field} type="hidden" name={field} value={value} />
      ))}
      <label htmlFor={`${name}-note`}>{label}</label>
      <textarea
        id={`${name}-note`}
        name="note"
        rows={2}
        minLength={MIN_REASON_LENGTH}
        maxLength={2000}
        required
      />
      <ConfirmButton
        className="button secondary"
        testId={name}
        question={question}
        yes={confirm.yes}
        cancel={confirm.cancel}
      >
        {children}
      </ConfirmButton>
    </form>
  );
}

export async function Summary({ file }: { file: CaseFile }) {
  const { kycCase, trader, team } = file;
  const [{ t, why, riskMarks }, label, tc, tConfirm] = await Promise.all([
    getCaseWords(),
    getConsoleLabels(),
    getTranslations("Console"),
    getTranslations("Confirm"),
  ]);
  const review = file.periodicReview;
  const monitoringTask = file.monitoringTask;
  const late = file.lateVendorVerdict;
  const ended = (date: Date) =>
    t.rich("summary.taskRelationshipEnded", { date: () => <Time at={date} dateOnly /> });
  return (
    <section className="card" aria-labelledby="summary-title">
      <h2 id="summary-title" className="visually-hidden">
        {t("summary.title")}
      </h2>
      <dl className="facts">
        <dt>{t("summary.status")}</dt>
        <dd data-testid="case-status" data-status={kycCase.status}>
          {label.status(kycCase.status)}
        </dd>
        <dt>{t("summary.risk")}</dt>
        <dd
          data-testid="case-risk"
          data-risk={kycCase.riskLevel ?? "none"}
          data-risk-floor={kycCase.riskFloor ?? undefined}
          data-risk-earlier-round={file.riskFromEarlierRound || undefined}
        >
          {kycCase.riskLevel ? label.risk(kycCase.riskLevel) : t("summary.notAssessed")}
          {riskMarks(file.riskMarks, label.risk)}
          {kycCase.fourEyesRequired ? ` · ${t("summary.fourEyes")}` : ""}
        </dd>
        <dt>{t("summary.level")}</dt>
        <dd data-testid="case-level" data-level={kycCase.level}>
          {label.level(kycCase.level)}
          {upgrading(kycCase)
            ? ` · ${t(
                // A confirmed match: rejecting withdraws the approval (lib/review/decisions.ts).
                file.hits.some((h) => h.state === "confirmed")
                  ? "summary.upgradeRevokes"
                  : "summary.upgrade",
                { level: label.level(kycCase.approvedLevel ?? "") },
              )}`
            : ""}
        </dd>
        <dt>{t("summary.round")}</dt>
        <dd>{kycCase.round}</dd>
        <dt>{t("summary.ctraderUser")}</dt>
        <dd>
          {trader?.ctraderUserId} · {t("summary.login", { login: trader?.tradingLogin ?? "—" })}
        </dd>
        <dt>{t("summary.account")}</dt>
        <dd data-testid="case-account">{kycCase.account ?? t("summary.accountUnnamed")}</dd>
        <dt>{t("summary.assigned")}</dt>
        <dd data-testid="assignee-name">
          {file.assignee
            ? file.assignee.me
              ? t("summary.you")
              : (file.assignee.name ?? t("formerStaff"))
            : t("summary.nobody")}
        </dd>
      </dl>
      {monitoringTask ? (
        <p className="alert" data-testid="monitoring-task">
          {t.rich("summary.monitoring", {
            date: () => <Time at={monitoringTask.openedAt} dateOnly />,
          })}
        </p>
      ) : null}
      {monitoringTask ? <RelationshipEnded at={file.relationshipEndedAt} text={ended} /> : null}
      {monitoringTask?.unreadable ? (
        <div className="alert" data-testid="monitoring-task-unreadable">
          <p>{t("summary.monitoringUnreadable")}</p>
          {file.controls.closeMonitoringTask?.enabled ? (
            <ReasonedClose
              file={file}
              action={closeMonitoringTaskAction}
              name="close-monitoring"
              label={t("summary.closeMonitoringNote")}
              question={tConfirm("closeMonitoring")}
              confirm={{ yes: tConfirm("yes"), cancel: tConfirm("cancel") }}
            >
              {t("summary.closeMonitoring")}
            </ReasonedClose>
          ) : (
            <WhyNot
              control={file.controls.closeMonitoringTask}
              name="closeMonitoringTask"
              why={why}
            />
          )}
        </div>
      ) : null}
      {late ? (
        <div className="alert" data-testid="vendor-verdict-task">
          <p>
            {t.rich("summary.lateVerdict", {
              date: () => <Time at={late.openedAt} dateOnly />,
              vendor: late.data?.vendor ?? "—",
              outcome: late.data?.outcome ?? "other",
            })}
          </p>
          {late.data ? (
            <ul data-testid="vendor-verdict-reasons">
              {late.data.considered.map((s) => (
                <li key={s} data-signal={s}>
                  {label.evidenceKey(s)}
                </li>
              ))}
              {late.data.labels.map((l) => (
                <li key={l} data-label={l}>
                  {l}
                </li>
              ))}
            </ul>
          ) : null}
          <p>{t("summary.lateVerdictHold")}</p>
          <RelationshipEnded at={file.relationshipEndedAt} text={ended} />
          {file.controls.keepApproval?.enabled ? (
            <ReasonedClose
              file={file}
              action={keepApprovalAction}
              name="keep-approval"
              shown={late.shown}
              label={t("summary.keepApprovalNote")}
              question={tConfirm("keepApproval")}
              confirm={{ yes: tConfirm("yes"), cancel: tConfirm("cancel") }}
            >
              {t("summary.keepApproval")}
            </ReasonedClose>
          ) : (
            <WhyNot control={file.controls.keepApproval} name="keepApproval" why={why} />
          )}
        </div>
      ) : null}
      {review ? (
        <div className="alert" data-testid="periodic-review-task">
          <p>
            {t.rich("summary.periodic", {
              date: () => <Time at={review.openedAt} dateOnly />,
              known: review.data ? "yes" : "no",
              last: () =>
                review.data ? <Time at={new Date(review.data.lastReviewAt)} dateOnly /> : null,
              months: review.data?.months ?? 0,
              risk: label.risk(review.data?.riskLevel ?? null),
            })}
          </p>
          {review.data ? (
            <ul data-testid="periodic-review-changes">
              <li>
                {t("summary.eventsSince", {
                  events:
                    review.data.changes.events.map((e) => label.event(e.event)).join(", ") ||
                    t("summary.none"),
                })}
              </li>
              <li>
                {t("summary.listsSince", {
                  lists:
                    review.data.changes.lists.map((l) => l.source).join(", ") || t("summary.none"),
                })}
              </li>
              <li>
                {t("summary.documentsSince", { count: String(review.data.changes.documents) })}
              </li>
            </ul>
          ) : null}
          <form action={periodicReviewAction} className="stack" data-testid="periodic-review-form">
            <CaseFields file={file} />
            <label>
              {t("summary.reviewOutcome")}{" "}
              <select name="outcome" defaultValue="no_change" data-testid="periodic-review-outcome">
                {PERIODIC_REVIEW_OUTCOMES.map((outcome) => (
                  <option key={outcome} value={outcome}>
                    {t("summary.reviewOutcomes", { outcome })}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t("summary.reviewNote")}
              <textarea name="note" rows={2} maxLength={2000} />
            </label>
            <button className="button" type="submit" data-testid="periodic-review-done">
              {t("summary.reviewDone")}
            </button>
          </form>
        </div>
      ) : null}
      {file.controls.assign && team.length > 0 ? (
        <form action={assignAction} className="filters">
          <CaseFields file={file} />
          <label>
            {t("summary.assignTo")}{" "}
            <select name="assignee" defaultValue={kycCase.assignedTo ?? ""} data-testid="assignee">
              <option value="">{t("summary.assignNobody")}</option>
              {team.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName} ({tc("role", { role: m.role })})
                </option>
              ))}
            </select>
          </label>
          <button className="button secondary" type="submit">
            {t("summary.assign")}
          </button>
        </form>
      ) : null}
      {file.controls.export.enabled ? (
        <p>
          <a href={`/admin/cases/${kycCase.id}/export`} data-testid="export">
            {t("summary.export")}
          </a>
          {" · "}
          <a href={`/admin/cases/${kycCase.id}/export?format=html`} data-testid="export-html">
            {t("summary.exportHtml")}
          </a>
        </p>
      ) : (
        <WhyNot control={file.controls.export} name="export" why={why} />
      )}
    </section>
  );
}
