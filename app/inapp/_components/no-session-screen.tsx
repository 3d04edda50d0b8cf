import { getLocale, getTranslations } from "next-intl/server";
import { env } from "@/lib/env";
import type { Screen } from "@/lib/inapp/params";
import { RESUME_PARAM, RESUME_REDEEM, resumeOffer } from "@/lib/inapp/resume";
import { AccountList } from "./account-list";
import { ExpiredScreen } from "./expired-screen";

type Query = Record<string, string | string[] | undefined>;

/**
 * A screen that found no session. Inside cTrader Web's frame, right after the entry, that means
 * the browser dropped our cookie: offer the verification in a new window (lib/inapp/resume.ts),
 * naming the account it belongs to. Anywhere else the link has expired. A plain form, so it works
 * without JavaScript; `target="_blank"` makes the new window top-level, where the cookie is ours.
 */
export async function NoSessionScreen({ query, screen }: { query: Query; screen: Screen }) {
  const raw = query[RESUME_PARAM];
  const code = typeof raw === "string" ? raw : undefined;
  const offer = await resumeOffer(code);
  if (!offer) return <ExpiredScreen reason="expired" />;
  const [t, tExpired, locale] = await Promise.all([
    getTranslations("Resume"),
    getTranslations("Expired"),
    getLocale(),
  ]);
  const documentType = typeof query.documentType === "string" ? query.documentType : "";
  return (
    <section className="card" data-testid="resume-offer">
      <h1>{t("title")}</h1>
      <p className="lead">{t("body")}</p>
      <AccountList account={offer.account} testId="resume-account" />
      <form method="post" action={RESUME_REDEEM} target="_blank">
        <input type="hidden" name={RESUME_PARAM} value={code} />
        <input type="hidden" name="screen" value={screen} />
        <input type="hidden" name="documentType" value={documentType} />
        <input type="hidden" name="lang" value={locale} />
        <button className="button" type="submit" data-testid="resume-continue">
          {t("continue")}
        </button>
      </form>
      <p className="muted">{t("after")}</p>
      <a className="button secondary" href={env().closeUrl}>
        {tExpired("closeAction")}
      </a>
    </section>
  );
}
