import { getLocale } from "next-intl/server";
import { env } from "@/lib/env";
import { moneyFormat } from "@/lib/i18n/money";
import { getTranslations } from "@/lib/i18n/translations";
import { getScreenContext } from "@/lib/inapp/screen-context";
import { windowRefOf } from "@/lib/inapp/window";
import { documentReason, documentReasonLabels } from "@/lib/kyc/document-reasons";
import { levelName } from "@/lib/kyc/levels";
import { statusMessageOf } from "@/lib/live/screen-state";
import { statusView } from "@/lib/kyc/status-view";
import { CloseControl } from "../../_components/close-control";
import { NoSessionScreen } from "../../_components/no-session-screen";
import { LocalTime } from "../../_components/local-time";
import { NextStep } from "../../_components/next-step";
import { RenewalNotice } from "../../_components/renewal-notice";
import { ReviewerMessage } from "../../_components/reviewer-message";
import { ScreenLink } from "../../_components/screen-link";
import { StatusBadge, StatusExplain } from "../../_components/status-badge";
import { StatusLive } from "../../_components/status-live";
import { SupportContacts } from "../../_components/support-contacts";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

async function StatusPage({ searchParams }: Props) {
  const context = await getScreenContext();
  if (!context?.kycCase) return <NoSessionScreen query={await searchParams} screen="status" />;
  const { kycCase } = context;
  const [t, tKyc, tUpload, tLevel, tReason, locale, view] = await Promise.all([
    getTranslations("Status"),
    getTranslations("Kyc"),
    getTranslations("Upload"),
    getTranslations("Level"),
    getTranslations("RejectReasons"),
    getLocale(),
    statusView(kycCase, env().reviewTimeHours),
  ]);
  const nameOf = (level: string) => levelName(level, locale, (id) => tLevel("name", { level: id }));
  const { closeUrl } = env();
  const currency = moneyFormat(locale, view.limits.currency);
  const money = (amount: number | null) =>
    amount === null ? t("noLimit") : currency.format(amount);
  const { rejection, phase } = view;
  const reasons = documentReasonLabels((key) => tUpload(key));
  return (
    <>
      <h1>{t("title")}</h1>
      <StatusLive message={statusMessageOf(kycCase, view)} />
      <section className="card" aria-live="polite">
        <p>
          <StatusBadge status={kycCase.status} phase={phase} />
        </p>
        <StatusExplain status={kycCase.status} phase={phase} />
        {view.awaitingReview ? (
          <p className="muted" data-testid="review-time">
            {t("reviewTime", { hours: view.reviewTimeHours })}
          </p>
        ) : null}
      </section>
      {view.renewal ? (
        <RenewalNotice notice={view.renewal} windowRef={windowRefOf(context.session)} />
      ) : (
        <NextStep phase={phase} next={view.next} />
      )}
      {kycCase.status === "approved" && !view.renewal ? (
        <section className="card" data-testid="approved-close">
          <p>{t("approvedDone")}</p>
          <CloseControl
            href={closeUrl}
            label={t("closeAndTrade")}
            text={t("closeAndTrade")}
            testId="approved-close-link"
            windowRef={windowRefOf(context.session)}
          />
        </section>
      ) : null}
      {view.declined ? (
        <section className="card" data-testid="declined-change" data-kind={view.declined.kind}>
          <h2>{t("declinedTitle", { kind: view.declined.kind })}</h2>
          <p>
            {t("declinedExplain", {
              kind: view.declined.kind,
              declinedLevel: nameOf(view.declined.declinedLevel),
              level: nameOf(view.declined.level),
            })}
          </p>
          {view.declined.kind === "lapsed" ? null : (
            <p>{tReason(view.declined.reasonCode as never)}</p>
          )}
        </section>
      ) : null}
      {rejection?.reasonCode ? (
        <section className="card" data-testid="rejection-reason">
          <h2>{tKyc("rejectedTitle")}</h2>
          <p>{tReason(rejection.reasonCode as never)}</p>
          {rejection.kind === "retry" ? (
            <ScreenLink className="button" href="/inapp/kyc">
              {tKyc("retryAction")}
            </ScreenLink>
          ) : (
            <>
              {rejection.retryLimitReached ? (
                <p data-testid="retry-limit">{tKyc("retryLimitReached")}</p>
              ) : null}
              <p className="muted">{tKyc("finalRejection")}</p>
            </>
          )}
        </section>
      ) : null}
      {view.requiredAction ? (
        <section className="card" data-testid="required-action">
          <h2>{t("requiredActions")}</h2>
          <ReviewerMessage text={view.requiredAction} label={tKyc("reviewerMessage")} />
          <ScreenLink className="button" href="/inapp/kyc">
            {t("backToVerification")}
          </ScreenLink>
        </section>
      ) : null}
      <section className="card" data-testid="limits">
        <h2>{t("limitsTitle")}</h2>
        <ul>
          <li>{t("limitsDeposit", { amount: money(view.limits.maxDepositPerMonth) })}</li>
          <li>{t("limitsWithdrawal", { amount: money(view.limits.maxWithdrawalPerMonth) })}</li>
        </ul>
        {kycCase.status !== "approved" ? <p className="muted">{t("limitsAfterApproval")}</p> : null}
      </section>
      <section className="card">
        <h2>{t("documentsTitle")}</h2>
        <ul className="steps" data-testid="document-checklist">
          {view.documents.map((d) => (
            <li
              key={`${d.documentType}-${d.side}`}
              data-document={d.documentType}
              data-side={d.side}
              data-state={d.state}
            >
              <span>
                {tUpload("requested", { type: d.documentType })}
                {d.side !== "page" ? ` (${tKyc("documentSide", { side: d.side })})` : null}
              </span>
              <span className="muted">
                {t("documentState", { state: d.state })}
                {d.reason ? ` — ${documentReason(reasons, d.reason)}` : null}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section className="card">
        <h2>{t("timelineTitle")}</h2>
        <ol className="steps" data-testid="timeline">
          {view.timeline.map((entry, i) => (
            <li key={i} data-event={entry.event}>
              <span>{t("timelineEvent", { event: entry.event })}</span>
              <span className="muted">
                <LocalTime iso={entry.at.toISOString()} locale={locale} />
              </span>
            </li>
          ))}
        </ol>
      </section>
      <SupportContacts />
      <ScreenLink className="button secondary" href="/inapp/kyc">
        {t("backToVerification")}
      </ScreenLink>
    </>
  );
}

export default withPageScope(StatusPage);
