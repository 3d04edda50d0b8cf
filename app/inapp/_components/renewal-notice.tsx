import { getLocale } from "next-intl/server";
import { getTranslations } from "@/lib/i18n/translations";
import type { RenewalNotice as Notice } from "@/lib/kyc/renewal";
import { renewCaseAction } from "../kyc/actions";
import { CaseActionForm } from "./case-action-form";

/** What the notice says about the document: its expiry date in the trader's language, and what to do. */
export async function renewalBody(notice: Notice): Promise<string> {
  const [t, locale] = await Promise.all([getTranslations("Renewal"), getLocale()]);
  // A calendar day, not an instant: formatted in UTC so no zone moves it to the day before.
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(`${notice.documentExpiresOn}T00:00:00Z`),
  );
  return notice.state === "due" ? t("dueBody", { date }) : t("expiredBody", { date });
}

/** The identity document expires soon or has expired: what that means, and the way to renew. */
export async function RenewalNotice({
  notice,
  windowRef,
}: {
  notice: Notice;
  /** The sign-in this page was rendered for (lib/inapp/window.ts). */
  windowRef: string;
}) {
  const [t, body] = await Promise.all([getTranslations("Renewal"), renewalBody(notice)]);
  const due = notice.state === "due";
  return (
    <section className="card" data-testid="renewal-notice" data-state={notice.state}>
      <h2>{due ? t("dueTitle") : t("expiredTitle")}</h2>
      <p>{body}</p>
      <CaseActionForm
        action={renewCaseAction}
        label={t("renewAction")}
        testId="renew-case"
        windowRef={windowRef}
      />
    </section>
  );
}
