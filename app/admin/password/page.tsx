import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "@/lib/i18n/translations";
import {
  isPasswordChangeRefusal,
  MAX_PASSWORD_LENGTH,
  type PasswordChangeField,
} from "@/lib/staff/accounts";
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
        <PasswordField name="current" label={t("current")} />
        <PasswordField
          name="next"
          label={t("next")}
          hint={t("nextHint", { min: MIN_PASSWORD_LENGTH })}
        />
        <PasswordField name="repeat" label={t("repeat")} />
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

/** The current password is any length it was set with; a new one has the minimum, with a hint. */
function PasswordField({
  name,
  label,
  hint,
}: {
  name: PasswordChangeField;
  label: string;
  hint?: string;
}) {
  const isNew = name !== "current";
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
        name={name}
        type="password"
        autoComplete={isNew ? "new-password" : "current-password"}
        minLength={isNew ? MIN_PASSWORD_LENGTH : undefined}
        maxLength={MAX_PASSWORD_LENGTH}
        aria-describedby={hint ? `${name}-hint` : undefined}
        required
      />
      {hint ? (
        <p className="muted" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export default withPageScope(PasswordPage);
