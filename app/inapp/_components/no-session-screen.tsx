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
 * naming the account it belongs to; `target="_blank"` makes the new window top-level, where the
 * cookie is ours. After a launch another site sent this browser to, ask whether the account is
 * theirs before the session opens here. Anywhere else the link has expired. Plain forms, so they
 * work without JavaScript.
 */
export async function NoSessionScreen({ query, screen }: { query: Query; screen: Screen }) {
  const raw = query[RESUME_PARAM];
  const code = typeof raw === "string" ? raw : undefined;
  const offer = await resumeOffer(code);
  if (!offer) return <ExpiredScreen reason="expired" />;
  const [t, tCheck, tHandoff, tExpired, locale] = await Promise.all([
    getTranslations("Resume"),
    getTranslations("LaunchCheck"),
    getTranslations("Handoff"),
    getTranslations("Expired"),
    getLocale(),
  ]);
  const documentType = typeof query.documentType === "string" ? query.documentType : "";
  const confirm = offer.kind === "confirm";
  return (
    <section className="card" data-testid={confirm ? "launch-check" : "resume-offer"}>
      <h1>{confirm ? tCheck("title") : t("title")}</h1>
      <p className="lead">{confirm ? tCheck("body") : t("body")}</p>
      <AccountList account={offer.account} testId="resume-account" />
      {confirm ? <p>{tHandoff("warning")}</p> : null}
      <form method="post" action={RESUME_REDEEM} target={confirm ? undefined : "_blank"}>
        <input type="hidden" name={RESUME_PARAM} value={code} />
        <input type="hidden" name="screen" value={screen} />
        <input type="hidden" name="documentType" value={documentType} />
        <input type="hidden" name="lang" value={locale} />
        <button className="button" type="submit" data-testid="resume-continue">
          {confirm ? tHandoff("continue") : t("continue")}
        </button>
      </form>
      {confirm ? null : <p className="muted">{t("after")}</p>}
      <a className="button secondary" href={env().closeUrl}>
        {tExpired("closeAction")}
      </a>
    </section>
  );
}
