import { getLocale, getTranslations } from "next-intl/server";
import { getScreenContext } from "@/lib/inapp/screen-context";
import { windowRefOf } from "@/lib/inapp/window";
import { stepFormText } from "@/lib/inapp/step-labels";
import { EDITABLE_STATUSES, isFinalRejection } from "@/lib/kyc/case-state";
import { countryOptionsHtml } from "@/lib/kyc/country-names";
import { levelName, STEPS, type StepId } from "@/lib/kyc/levels";
import { documentReason, documentReasonLabels } from "@/lib/kyc/document-reasons";
import type { DocumentRequirement } from "@/lib/kyc/requirements";
import { STEP_DEFINITIONS } from "@/lib/kyc/steps";
import { dateOfBirthRange } from "@/lib/kyc/steps/personal";
import { loadStepPrefill } from "@/lib/kyc/zone-prefill";
import { loadTraderView, requestNote, uploadAccess, WORKING_PHASES } from "@/lib/kyc/trader-view";
import { NoSessionScreen } from "../_components/no-session-screen";
import { FinalRejection } from "../_components/final-rejection";
import { LtrValue } from "../_components/ltr-value";
import { NextStep } from "../_components/next-step";
import { PersonalForm } from "../_components/personal-form";
import { ReviewerMessage } from "../_components/reviewer-message";
import { ScreenLink } from "../_components/screen-link";
import { StatusBadge, StatusExplain } from "../_components/status-badge";
import { ScreenHeading } from "../_components/screen-heading";
import { StepForm } from "../_components/step-form";
import { SubmitForm } from "../_components/submit-form";
import { retryCaseAction } from "./actions";
import { CaseActionForm } from "../_components/case-action-form";
import { RenewalNotice } from "../_components/renewal-notice";
import { requestWords } from "../_components/request-words";
import { renewalNotice } from "@/lib/kyc/renewal";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const PERSONAL_LABELS = [
  "nameLegend",
  "givenNames",
  "givenNamesHint",
  "surnames",
  "surnamesHint",
  "birthLegend",
  "dateOfBirth",
  "placeOfBirth",
  "countryOfBirth",
  "nationalities",
  "nationalitiesHint",
  "nationalityAdditional",
  "addressLegend",
  "addressLine1",
  "addressLine2",
  "city",
  "postcode",
  "country",
  "contactLegend",
  "phone",
  "phoneHint",
  "email",
  "chooseCountry",
  "optional",
  "continue",
  "saving",
  "saved",
  "saveFailed",
  "staleDraft",
] as const;

async function KycPage({ searchParams }: Props) {
  const context = await getScreenContext();
  if (!context?.kycCase) return <NoSessionScreen query={await searchParams} screen="kyc" />;
  const { trader, kycCase } = context;
  const windowRef = windowRefOf(context.session);
  const [t, tLevel, tSteps, tStatusScreen, tUpload, tVendor, locale, view, query] =
    await Promise.all([
      getTranslations("Kyc"),
      getTranslations("Level"),
      getTranslations("Steps"),
      getTranslations("Status"),
      getTranslations("Upload"),
      getTranslations("VendorStep"),
      getLocale(),
      loadTraderView(kycCase),
      searchParams,
    ]);
  const { progress, rejection, phase } = view;
  const reasons = documentReasonLabels((key) => tUpload(key));
  const renewal = renewalNotice(kycCase);
  if (rejection && isFinalRejection(kycCase)) return <FinalRejection rejection={rejection} />;
  const { requirements, drafts, request } = progress;
  // The level's vendor capture runs on the identity upload screen; the overview points there
  // until it is done, and once the forms are done it is where the trader goes next.
  const vendorStep = requirements.vendor;
  const vendorHref = "/inapp/kyc/upload?documentType=identity";
  const vendorNext = Boolean(vendorStep && !vendorStep.done && !requirements.next);
  const editable = EDITABLE_STATUSES.has(kycCase.status);
  const requested = typeof query.step === "string" ? query.step : undefined;
  const wantsOverview = query.view === "overview";
  // The reviewer's words: their message, or after a retry rejection the reason for it.
  const general = await requestWords(kycCase, request);

  // Which form to show: the one asked for (if it is open), else the next unfinished form. A
  // trader answering a request for more lands on the overview, where the reviewer's message and
  // everything it concerns are; after "fix and send again" the form shows the reason above it.
  const open = (step: string | undefined) =>
    requirements.steps.find((s) => s.step === step && s.editable);
  const landsOnForm =
    phase !== "action_required" &&
    !wantsOverview &&
    requirements.next &&
    !requirements.next.formDone;
  const shown = editable
    ? (open(requested) ?? (landsOnForm ? requirements.next : undefined))
    : undefined;
  const stepNote = (step: StepId) => {
    const note = requestNote(request, { step }, general);
    return note ? (
      <ReviewerMessage text={note} label={t("reviewerMessage")} testId={`note-${step}`} />
    ) : null;
  };

  const progressLine = (
    <p className="muted" data-testid="progress">
      {tSteps("progress", { done: requirements.done, total: requirements.total })}
      {" · "}
      <ScreenLink href="/inapp/kyc?view=overview">{t("overviewLink")}</ScreenLink>
    </p>
  );

  if (shown && (STEPS as readonly string[]).includes(shown.step)) {
    const step = shown.step as StepId;
    // The personal and identity steps may show what the uploaded document's zone says.
    const prefill =
      step === "personal" || step === "identity_document"
        ? await loadStepPrefill(
            kycCase.id,
            step,
            drafts,
            requirements.steps.some((s) => s.documents.some((d) => d.documentType === "identity")),
          )
        : null;
    const values = (prefill?.values ?? drafts[step]?.values ?? {}) as Record<
      string,
      string | string[] | undefined
    >;
    const tPrefill = await getTranslations("Prefill");
    const prefillLabels = {
      prefillNotice: tPrefill("notice"),
      prefillField: tPrefill("field"),
    };
    if (step === "personal") {
      const tPersonal = await getTranslations("Personal");
      const labels: Record<string, string> = Object.fromEntries(
        PERSONAL_LABELS.map((key) => [key, tPersonal(key)]),
      );
      labels.addNationality = (await getTranslations("Form"))("addRow");
      const tErrors = await getTranslations("Errors");
      // An autosave refused for the session says what the trader must do (AutosaveStatus).
      labels.sessionExpired = tErrors("sessionExpired");
      labels.otherSignIn = tErrors("otherSignIn");
      labels.uploadOnly = tErrors("uploadOnly");
      return (
        <>
          {progressLine}
          <ScreenHeading screen={step}>{tPersonal("title")}</ScreenHeading>
          <p className="lead">{tPersonal("intro")}</p>
          {stepNote(step)}
          {prefill?.offerUpload ? (
            <p className="card" data-testid="prefill-offer">
              {tPrefill("offer")}{" "}
              <ScreenLink href="/inapp/kyc/upload?documentType=identity">
                {tPrefill("offerLink")}
              </ScreenLink>
            </p>
          ) : null}
          <PersonalForm
            labels={{ ...labels, ...prefillLabels }}
            countriesHtml={countryOptionsHtml(locale)}
            values={{ email: trader.email ?? undefined, ...values }}
            prefilled={prefill?.prefilled ?? []}
            draftVersion={drafts[step]?.version ?? 0}
            windowRef={windowRef}
            dateOfBirthRange={dateOfBirthRange(new Date())}
          />
        </>
      );
    }
    const definition = STEP_DEFINITIONS[step];
    const fields = definition.fields ?? [];
    const text = await stepFormText(step, fields);
    return (
      <>
        {progressLine}
        <ScreenHeading screen={step}>{text.title}</ScreenHeading>
        <p className="lead">{text.intro}</p>
        {stepNote(step)}
        {/* Keyed by step: a form's state (the draft version its autosaves carry) is its step's. */}
        <StepForm
          key={step}
          step={step}
          fields={fields}
          labels={{ ...text.labels, ...prefillLabels }}
          countriesHtml={countryOptionsHtml(locale)}
          values={values}
          prefilled={prefill?.prefilled ?? []}
          draftVersion={drafts[step]?.version ?? 0}
          windowRef={windowRef}
          dateRanges={definition.dateRanges?.(new Date()) ?? {}}
        />
      </>
    );
  }

  const documentLine = (d: DocumentRequirement, canUpload: boolean, note?: string | null) => (
    <li
      key={`${d.documentType}-${d.side}`}
      data-document={d.documentType}
      data-side={d.side}
      data-state={d.state}
    >
      <span>
        {tUpload("requested", { type: d.documentType })}
        {d.side !== "page" ? ` (${t("documentSide", { side: d.side })})` : null}
      </span>
      <span className="step-state">
        {tStatusScreen("documentState", { state: d.state })}
        {d.reason ? (
          <span className="muted" data-testid={`document-reason-${d.documentType}`}>
            {" — "}
            {documentReason(reasons, d.reason)}
          </span>
        ) : null}
        {canUpload && d.state !== "accepted" ? (
          <>
            {" · "}
            <ScreenLink href={`/inapp/kyc/upload?documentType=${d.documentType}`}>
              {d.state === "retake" ? t("uploadAgain") : t("uploadNow")}
            </ScreenLink>
          </>
        ) : null}
      </span>
      {note && note !== d.reason ? (
        <ReviewerMessage
          text={note}
          label={t("reviewerMessage")}
          testId={`note-document-${d.documentType}`}
        />
      ) : null}
    </li>
  );

  return (
    <>
      <ScreenHeading screen="overview">{t("title")}</ScreenHeading>
      <p className="lead">{t("intro")}</p>
      <section className="card">
        {trader.email ? (
          <p data-testid="trader-email">
            <LtrValue message={(email) => t("signedInAs", { email })} value={trader.email} />
          </p>
        ) : null}
        {trader.tradingLogin ? (
          <p className="muted">{t("tradingAccount", { login: String(trader.tradingLogin) })}</p>
        ) : null}
        <dl className="facts">
          <dt>{t("levelLabel")}</dt>
          <dd data-testid="case-level">
            {levelName(kycCase.level, locale, (level) => tLevel("name", { level }))}
          </dd>
          <dt>{t("statusLabel")}</dt>
          <dd>
            <StatusBadge status={kycCase.status} phase={phase} />
          </dd>
        </dl>
        <StatusExplain className="muted" status={kycCase.status} phase={phase} />
      </section>
      {renewal ? (
        <RenewalNotice notice={renewal} windowRef={windowRef} />
      ) : (
        <NextStep
          phase={phase}
          next={view.next}
          link={
            editable && vendorNext
              ? { href: vendorHref, label: tVendor("start") }
              : WORKING_PHASES.has(phase) || phase === "rejected_retry"
                ? undefined
                : { href: "/inapp/kyc/status", label: t("viewStatus") }
          }
        />
      )}
      {rejection ? (
        <section className="card" data-testid="rejection" data-kind={rejection.kind}>
          <h2>{t("rejectedTitle")}</h2>
          <p data-testid="rejection-reason">
            {rejection.reasonCode
              ? (await getTranslations("RejectReasons"))(rejection.reasonCode as never)
              : null}
          </p>
          {rejection.kind === "retry" ? (
            <CaseActionForm
              action={retryCaseAction}
              label={t("retryAction")}
              testId="retry-case"
              windowRef={windowRef}
            />
          ) : (
            <p className="muted">{t("finalRejection")}</p>
          )}
        </section>
      ) : null}
      {request ? (
        <section className="card" data-testid="action-request">
          <h2>{t("requestedTitle")}</h2>
          {general ? <ReviewerMessage text={general} label={t("reviewerMessage")} /> : null}
          <p>{t("requestedIntro")}</p>
        </section>
      ) : null}
      <section className="card">
        <p className="muted" data-testid="progress">
          {tSteps("progress", { done: requirements.done, total: requirements.total })}
        </p>
        <ol className="steps" data-testid="steps">
          {requirements.steps.map((s) => {
            const canEdit = editable && s.editable;
            return (
              <li
                key={s.step}
                data-step={s.step}
                data-done={s.done ? "true" : undefined}
                data-requested={s.requested ? "true" : undefined}
              >
                <span className="step-name">
                  {tSteps("name", { step: s.step })}
                  {s.requested ? <strong> · {t("requested")}</strong> : null}
                </span>
                <span className="step-state">
                  {!canEdit && editable ? (
                    <span className="muted">{t("keptAsSent")}</span>
                  ) : s.formDone ? (
                    <>
                      {/* The form is in, its photos are not: the step is not done yet. */}
                      {s.done ? tSteps("done") : tSteps("saved")}
                      {canEdit ? (
                        <>
                          {" · "}
                          <ScreenLink href={`/inapp/kyc?step=${s.step}`}>
                            {tSteps("edit")}
                          </ScreenLink>
                        </>
                      ) : null}
                    </>
                  ) : canEdit ? (
                    <ScreenLink href={`/inapp/kyc?step=${s.step}`}>
                      {s.requested ? tSteps("update") : tSteps("start")}
                    </ScreenLink>
                  ) : (
                    <span className="muted">{tSteps("todo")}</span>
                  )}
                </span>
                {stepNote(s.step)}
                {s.documents.length > 0 ? (
                  <ul className="documents" data-testid={`documents-${s.step}`}>
                    {s.documents.map((d) => documentLine(d, canEdit && s.formDone))}
                  </ul>
                ) : null}
              </li>
            );
          })}
          {vendorStep ? (
            <li data-step="vendor" data-done={vendorStep.done ? "true" : undefined}>
              <span className="step-name">{tVendor("title")}</span>
              <span className="step-state">
                {vendorStep.done ? (
                  tSteps("done")
                ) : editable ? (
                  <ScreenLink href={vendorHref}>{tSteps("start")}</ScreenLink>
                ) : (
                  <span className="muted">{tSteps("todo")}</span>
                )}
              </span>
            </li>
          ) : null}
        </ol>
        {requirements.otherDocuments.length > 0 ? (
          <ul className="steps documents" data-testid="other-documents">
            {requirements.otherDocuments.map((d) =>
              documentLine(
                d,
                uploadAccess(phase, progress, d.documentType).open,
                requestNote(request, { documentType: d.documentType }, general),
              ),
            )}
          </ul>
        ) : null}
      </section>
      {editable ? (
        <section className="card" data-testid="submit-section">
          <h2>{t("submitTitle")}</h2>
          {requirements.complete ? (
            <>
              <p>{t("submitIntro")}</p>
              <SubmitForm
                windowRef={windowRef}
                labels={{
                  declaration: t("declaration"),
                  submit: kycCase.status === "action_required" ? t("resubmit") : t("submit"),
                }}
              />
            </>
          ) : (
            <p className="muted">{t("incomplete")}</p>
          )}
        </section>
      ) : null}
      <div className="actions">
        <ScreenLink className="button secondary" href="/inapp/kyc/status">
          {t("viewStatus")}
        </ScreenLink>
      </div>
    </>
  );
}

export default withPageScope(KycPage);
