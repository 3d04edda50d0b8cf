import type { Metadata } from "next";
import { getLocale } from "next-intl/server";
import { pickLocale } from "@/lib/i18n/config";
import { getTranslations } from "@/lib/i18n/translations";
import { LanguageChoice } from "../_components/language-choice";
import { LoginForm } from "./login-form";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Console.login"))("title") };
}

/** Sign-in, with the console language offered before there is an account to save it on. */
async function LoginPage({ searchParams }: Props) {
  const { error, outcome } = await searchParams;
  const [t, tl, locale] = await Promise.all([
    getTranslations("Console.login"),
    getTranslations("Console.language"),
    getLocale(),
  ]);
  return (
    <section className="card narrow">
      <h1>{t("title")}</h1>
      {error === "expired" ? (
        <p className="alert" role="alert" data-testid="login-expired">
          {t("expired")}
        </p>
      ) : null}
      {outcome === "password_changed" ? (
        <p className="notice" role="status" data-testid="password-changed">
          {t("passwordChanged")}
        </p>
      ) : null}
      {error === "language" ? (
        <p className="alert" role="alert">
          {tl("invalid")}
        </p>
      ) : null}
      <LoginForm labels={{ email: t("email"), password: t("password"), submit: t("submit") }} />
      <LanguageChoice
        current={pickLocale(locale) ?? "en"}
        label={tl("label")}
        submit={tl("save")}
      />
    </section>
  );
}

export default withPageScope(LoginPage);
