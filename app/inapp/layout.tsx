import { env } from "@/lib/env";
import { getTranslations } from "@/lib/i18n/translations";
import { CloseControl } from "./_components/close-control";

export default async function InAppLayout({ children }: { children: React.ReactNode }) {
  const t = await getTranslations("Shell");
  const { brandName, closeUrl } = { brandName: env().brokerName, closeUrl: env().closeUrl };
  return (
    <>
      <a className="skip" href="#content">
        {t("skipToContent")}
      </a>
      <header className="shell-header">
        <div className="brand">
          <strong>{brandName}</strong>
          <span>{t("tagline")}</span>
        </div>
        <CloseControl href={closeUrl} label={t("close")} />
      </header>
      <main id="content">{children}</main>
    </>
  );
}
