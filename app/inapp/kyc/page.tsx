import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { getScreenContext } from "@/lib/inapp/screen-context";
import { EDITABLE_STATUSES } from "@/lib/kyc/case-state";
import { countryOptions } from "@/lib/kyc/country-names";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { getLevel } from "@/lib/kyc/levels";
import { levelProgress } from "@/lib/kyc/progress";
import { ExpiredScreen } from "../_components/expired-screen";
import { PersonalForm } from "../_components/personal-form";
import { StatusBadge } from "../_components/status-badge";

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
] as const;

export default async function KycPage({ searchParams }: Props) {
  const context = await getScreenContext();
  if (!context?.kycCase) return <ExpiredScreen reason="expired" />;
  const { trader, kycCase } = context;
  const [t, tLevel, tStatus, tSteps, tPersonal, locale, drafts] = await Promise.all([
    getTranslations("Kyc"),
    getTranslations("Level"),
    getTranslations("CaseStatus"),
    getTranslations("Steps"),
    getTranslations("Personal"),
    getLocale(),
    loadStepDrafts(kycCase.id),
  ]);
  const progress = levelProgress(getLevel(kycCase.level), drafts);
  const editable = EDITABLE_STATUSES.has(kycCase.status);
  const requested = (await searchParams).step;
  const showPersonal = editable && (requested === "personal" || progress.next?.step === "personal");

  if (showPersonal) {
    const personal = drafts.personal?.values ?? {};
    const values = { email: trader.email ?? undefined, ...personal } as Record<
      string,
      string | string[] | undefined
    >;
    const labels = Object.fromEntries(PERSONAL_LABELS.map((key) => [key, tPersonal(key)]));
    return (
      <>
        <p className="muted" data-testid="progress">
          {tSteps("progress", { done: progress.done, total: progress.total })}
        </p>
        <h1>{tPersonal("title")}</h1>
        <p className="lead">{tPersonal("intro")}</p>
        <PersonalForm labels={labels} countries={countryOptions(locale)} values={values} />
      </>
    );
  }

  return (
    <>
      <h1>{t("title")}</h1>
      <p className="lead">{t("intro")}</p>
      <section className="card">
        {trader.email ? (
          <p data-testid="trader-email">{t("signedInAs", { email: trader.email })}</p>
        ) : null}
        {trader.tradingLogin ? (
          <p className="muted">{t("tradingAccount", { login: String(trader.tradingLogin) })}</p>
        ) : null}
        <dl className="facts">
          <dt>{t("levelLabel")}</dt>
          <dd data-testid="case-level">{tLevel("name", { level: kycCase.level })}</dd>
          <dt>{t("statusLabel")}</dt>
          <dd>
            <StatusBadge status={kycCase.status} />
          </dd>
        </dl>
        <p className="muted">{tStatus("explain", { status: kycCase.status })}</p>
      </section>
      <section className="card">
        <p className="muted" data-testid="progress">
          {tSteps("progress", { done: progress.done, total: progress.total })}
        </p>
        <ol className="steps" data-testid="steps">
          {progress.steps.map((s) => (
            <li key={s.step} data-step={s.step} data-done={s.done ? "true" : undefined}>
              <span className="step-name">{tSteps("name", { step: s.step })}</span>
              <span className="step-state">
                {s.done ? (
                  <>
                    {tSteps("done")}
                    {editable && s.kind === "form" ? (
                      <>
                        {" · "}
                        <Link href={`/inapp/kyc?step=${s.step}`}>{tSteps("edit")}</Link>
                      </>
                    ) : null}
                  </>
                ) : s.kind === "document" && s.documentType ? (
                  <Link href={`/inapp/kyc/upload?documentType=${s.documentType}`}>
                    {tSteps("upload")}
                  </Link>
                ) : s.kind === "form" && editable ? (
                  <Link href={`/inapp/kyc?step=${s.step}`}>{tSteps("start")}</Link>
                ) : (
                  <span className="muted">{tSteps("notYet")}</span>
                )}
              </span>
            </li>
          ))}
        </ol>
      </section>
      <div className="actions">
        <Link className="button secondary" href="/inapp/kyc/status">
          {t("viewStatus")}
        </Link>
      </div>
    </>
  );
}
