import { getLocale } from "next-intl/server";
import { getTranslations } from "@/lib/i18n/translations";
import type { RenewalNotice as Notice } from "@/lib/kyc/renewal";
import { renewCaseAction } from "../kyc/actions";

/** The identity document expires soon or has expired: what that means, and the way to renew. */
export async function RenewalNotice({ notice }: { notice: Notice }) {
  const [t, locale] = await Promise.all([getTranslations("Renewal"), getLocale()]);
  // A calendar day, not an instant: formatted in UTC so no zone moves it to the day before.
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(`${notice.documentExpiresOn}T00:00:00Z`),
  );
  const due = notice.state === "due";
  return (
    <section className="card" data-testid="renewal-notice" data-state={notice.state}>
      <h2>{due ? t("dueTitle") : t("expiredTitle")}</h2>
      <p>{due ? t("dueBody", { date }) : t("expiredBody", { date })}</p>
      <form action={renewCaseAction}>
        <button className="button" type="submit" data-testid="renew-case">
          {t("renewAction")}
        </button>
      </form>
    </section>
  );
}
