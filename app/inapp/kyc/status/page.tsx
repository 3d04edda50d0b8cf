import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getScreenContext } from "@/lib/inapp/screen-context";
import { ExpiredScreen } from "../../_components/expired-screen";
import { StatusBadge } from "../../_components/status-badge";

export default async function StatusPage() {
  const context = await getScreenContext();
  if (!context) return <ExpiredScreen reason="expired" />;
  const t = await getTranslations("Status");
  const tStatus = await getTranslations("CaseStatus");
  const status = context.kycCase?.status ?? "draft";
  const updated = context.kycCase?.updatedAt;
  return (
    <>
      <h1>{t("title")}</h1>
      <section className="card" aria-live="polite">
        <p>
          <StatusBadge status={status} />
        </p>
        <p>{tStatus("explain", { status })}</p>
        {updated ? <p className="muted">{t("updated", { time: updated })}</p> : null}
      </section>
      <Link className="button secondary" href="/inapp/kyc">
        {t("backToVerification")}
      </Link>
    </>
  );
}
