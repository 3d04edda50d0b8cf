import { getTranslations } from "next-intl/server";
import { env } from "@/lib/env";

export async function ExpiredScreen({ reason }: { reason: "expired" | "unavailable" }) {
  const t = await getTranslations("Expired");
  return (
    <section className="card" data-testid="expired-screen" data-reason={reason}>
      <h1>{reason === "expired" ? t("expiredTitle") : t("unavailableTitle")}</h1>
      <p className="lead">{reason === "expired" ? t("expiredBody") : t("unavailableBody")}</p>
      <a className="button" href={env().closeUrl}>
        {t("closeAction")}
      </a>
    </section>
  );
}
