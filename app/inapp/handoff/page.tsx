import { getLocale, getTranslations } from "next-intl/server";
import { handoffConfirmation, HANDOFF_PARAM, HANDOFF_REDEEM } from "@/lib/inapp/handoff";
import { AccountList } from "../_components/account-list";
import { ExpiredScreen } from "../_components/expired-screen";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * "Continue on your phone", step one: whose verification this link feeds, before anything is
 * spent or uploaded. A plain form, so it works in any phone browser without JavaScript.
 */
async function HandoffPage({ searchParams }: Props) {
  const raw = (await searchParams)[HANDOFF_PARAM];
  const token = typeof raw === "string" ? raw : undefined;
  const handoff = await handoffConfirmation(token);
  if (!handoff.ok) return <ExpiredScreen reason="expired" />;
  const [t, tUpload, locale] = await Promise.all([
    getTranslations("Handoff"),
    getTranslations("Upload"),
    getLocale(),
  ]);
  return (
    <section className="card" data-testid="handoff-confirm">
      <h1>{t("title")}</h1>
      <p className="lead">{t("belongsTo")}</p>
      <AccountList account={handoff.account} testId="handoff-account" />
      <p className="muted">{tUpload("requested", { type: handoff.documentType })}</p>
      <p>{t("warning")}</p>
      <form method="post" action={HANDOFF_REDEEM}>
        <input type="hidden" name={HANDOFF_PARAM} value={token} />
        <input type="hidden" name="lang" value={locale} />
        <button className="button" type="submit" data-testid="handoff-continue">
          {t("continue")}
        </button>
      </form>
    </section>
  );
}

export default withPageScope(HandoffPage);
