import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "@/lib/i18n/translations";
import { isPasswordChangeRefusal, MAX_PASSWORD_LENGTH } from "@/lib/staff/accounts";
import { getPasswordChanger } from "@/lib/staff/console";
import { MIN_PASSWORD_LENGTH } from "@/lib/staff/passwords";
import { withPageScope } from "@/lib/http/action-scope";
import { changePasswordAction, logoutAction } from "../actions";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Console.password"))("title") };
}

/**
 * One's own password. After an admin's reset it is the only page the console opens (the admin
 * knows that password), so it carries its own way to sign out.
 */
async function PasswordPage({ searchParams }: Props) {
  const changer = await getPasswordChanger();
  if (!changer) redirect("/admin/login");
  const { error } = await searchParams;
  const [t, tc] = await Promise.all([
    getTranslations("Console.password"),
    getTranslations("Console"),
  ]);
  return (
    <section className="card narrow" data-testid="password-page" data-forced={changer.forced}>
      <h1>{t("title")}</h1>
      {changer.forced ? (
        <p className="lead" data-testid="password-forced">
          {t("forced")}
        </p>
      ) : null}
      {isPasswordChangeRefusal(error) ? (
        <p className="alert" role="alert" data-testid="password-error" data-reason={error}>
          {t(`refused.${error}`, { min: MIN_PASSWORD_LENGTH })}
        </p>
      ) : null}
      <form action={changePasswordAction} data-testid="password-form">
        <div className="field">
          <label htmlFor="current">{t("current")}</label>
          <input
            id="current"
            name="current"
            type="password"
            autoComplete="current-password"
            maxLength={MAX_PASSWORD_LENGTH}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="next">{t("next")}</label>
          <input
            id="next"
            name="next"
            type="password"
            autoComplete="new-password"
            minLength={MIN_PASSWORD_LENGTH}
            maxLength={MAX_PASSWORD_LENGTH}
            aria-describedby="next-hint"
            required
          />
          <p className="muted" id="next-hint">
            {t("nextHint", { min: MIN_PASSWORD_LENGTH })}
          </p>
        </div>
        <div className="field">
          <label htmlFor="repeat">{t("repeat")}</label>
          <input
            id="repeat"
            name="repeat"
            type="password"
            autoComplete="new-password"
            minLength={MIN_PASSWORD_LENGTH}
            maxLength={MAX_PASSWORD_LENGTH}
            required
          />
        </div>
        <button className="button" type="submit" data-testid="password-submit">
          {t("submit")}
        </button>
      </form>
      {changer.forced ? (
        <form action={logoutAction}>
          <button className="button secondary" type="submit">
            {tc("nav.signOut")}
          </button>
        </form>
      ) : (
        <p>
          <a href="/admin/account">{t("back")}</a>
        </p>
      )}
    </section>
  );
}

export default withPageScope(PasswordPage);
