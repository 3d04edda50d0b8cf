import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getScreenContext } from "@/lib/inapp/screen-context";
import { ExpiredScreen } from "../_components/expired-screen";
import { StatusBadge } from "../_components/status-badge";

export default async function KycPage() {
  const context = await getScreenContext();
  if (!context) return <ExpiredScreen reason="expired" />;
  const { trader, kycCase } = context;
  const t = await getTranslations("Kyc");
  const tLevel = await getTranslations("Level");
  const tStatus = await getTranslations("CaseStatus");
  const status = kycCase?.status ?? "draft";
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
          <dd data-testid="case-level">
            {tLevel("name", { level: kycCase?.level ?? "standard" })}
          </dd>
          <dt>{t("statusLabel")}</dt>
          <dd>
            <StatusBadge status={status} />
          </dd>
        </dl>
        <p className="muted">{tStatus("explain", { status })}</p>
      </section>
      <div className="actions">
        <Link className="button" href="/inapp/kyc/upload?documentType=identity">
          {t("uploadDocument")}
        </Link>
        <Link className="button secondary" href="/inapp/kyc/status">
          {t("viewStatus")}
        </Link>
      </div>
    </>
  );
}
