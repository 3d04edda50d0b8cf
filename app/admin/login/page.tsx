import type { Metadata } from "next";
import { getLocale } from "next-intl/server";
import { z } from "zod";
import { pickLocale } from "@/lib/i18n/config";
import { expiredUnlessSignedIn } from "@/lib/staff/console";
import { THROTTLE_WINDOW_MINUTES } from "@/lib/staff/throttle";
import { getTranslations } from "@/lib/i18n/translations";
import { LanguageChoice } from "../_components/language-choice";
import { LoginForm } from "./login-form";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The minutes the code step's redirect named; anything else reads as the whole window. */
const waitMinutes = (value: unknown) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(THROTTLE_WINDOW_MINUTES)
    .catch(THROTTLE_WINDOW_MINUTES)
    .parse(value);

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Console.login"))("title") };
}

/** Sign-in, with the console language offered before there is an account to save it on. */
async function LoginPage({ searchParams }: Props) {
  const { error, outcome, minutes } = await searchParams;
  if (error === "expired") await expiredUnlessSignedIn();
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
      {error === "too_many_codes" ? (
        <p className="alert" role="alert" data-testid="login-too-many-codes">
          {t("tooManyCodes", { minutes: waitMinutes(minutes) })}
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
