import { getTranslations } from "next-intl/server";
import { env } from "@/lib/env";
import type { Rejection } from "@/lib/kyc/submission";
import { ScreenLink } from "./screen-link";
import { SupportContacts } from "./support-contacts";

/**
 * What a trader sees after a final rejection, on every launch: the reason, why it is final, and
 * whom to contact. No way to start again: only the broker's compliance team can reopen.
 */
export async function FinalRejection({ rejection }: { rejection: Rejection }) {
  const [t, tReasons, tShell] = await Promise.all([
    getTranslations("Kyc"),
    getTranslations("RejectReasons"),
    getTranslations("Shell"),
  ]);
  return (
    <>
      <h1>{t("finalTitle")}</h1>
      <section className="card" data-testid="final-rejection">
        {rejection.reasonCode ? (
          <p data-testid="rejection-reason">{tReasons(rejection.reasonCode as never)}</p>
        ) : null}
        {rejection.retryLimitReached ? (
          <p data-testid="retry-limit">{t("retryLimitReached")}</p>
        ) : null}
        <p className="muted">{t("finalRejection")}</p>
      </section>
      <SupportContacts />
      <div className="actions">
        <ScreenLink className="button secondary" href="/inapp/kyc/status">
          {t("viewStatus")}
        </ScreenLink>
        <a className="button secondary" href={env().closeUrl}>
          {tShell("close")}
        </a>
      </div>
    </>
  );
}
