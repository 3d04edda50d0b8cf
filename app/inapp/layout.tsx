import { env } from "@/lib/env";
import { getTranslations } from "@/lib/i18n/translations";
import { getScreenSession } from "@/lib/inapp/screen-context";
import { windowRefOf } from "@/lib/inapp/window";
import { CloseControl } from "./_components/close-control";
import { HistoryReload } from "./_components/history-reload";
import { ErrorLabelsProvider } from "../_components/error-labels";
import { errorLabels } from "../_components/error-labels-server";

export default async function InAppLayout({ children }: { children: React.ReactNode }) {
  const [t, failed, session] = await Promise.all([
    getTranslations("Shell"),
    errorLabels("ErrorScreen"),
    // The page reads the same (cached) session and shows its own error if it fails.
    getScreenSession(),
  ]);
  const { brokerName, closeUrl, brand } = env();
  return (
    <>
      <a className="skip" href="#content">
        {t("skipToContent")}
      </a>
      <header className="shell-header">
        <div className="brand">
          {brand.logoPath ? (
            // A broker's own file from public/: plain <img>, no optimiser round trip.
            // eslint-disable-next-line @next/next/no-img-element
            <img src={brand.logoPath} alt={brokerName} />
          ) : (
            <strong>{brokerName}</strong>
          )}
          <span>{t("tagline")}</span>
        </div>
        <CloseControl
          href={closeUrl}
          label={t("close")}
          windowRef={session ? windowRefOf(session) : undefined}
        />
      </header>
      <HistoryReload />
      <main id="content">
        <ErrorLabelsProvider labels={failed}>{children}</ErrorLabelsProvider>
        {brand.legalEntity ? (
          <p className="legal" data-testid="legal-entity">
            {brand.legalEntity}
          </p>
        ) : null}
      </main>
    </>
  );
}
