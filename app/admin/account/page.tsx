import type { Metadata } from "next";
import { getLocale } from "next-intl/server";
import { pickLocale } from "@/lib/i18n/config";
import { getTranslations } from "@/lib/i18n/translations";
import { enrolmentQr } from "@/lib/staff/mfa";
import { listOwnSessions, ownEnrolmentSecret, ownMfaStatus } from "@/lib/staff/accounts";
import { requireStaff, staffCookieValue } from "@/lib/staff/console";
import { Enrolment } from "../_components/enrolment";
import { LanguageChoice } from "../_components/language-choice";
import { OfficerTime } from "../_components/officer-time";
import { endSessionAction, enrolAction, startEnrolmentAction } from "../actions";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Console.account"))("title") };
}

/** One's own account: the console language, where one is signed in, and the second factor. */
async function AccountPage({ searchParams }: Props) {
  const staff = await requireStaff("reviewer");
  const q = await searchParams;
  const cookie = await staffCookieValue();
  const [sessions, mfa, t, tc, tl, locale] = await Promise.all([
    listOwnSessions(staff, cookie),
    ownMfaStatus(staff),
    getTranslations("Console.account"),
    getTranslations("Console"),
    getTranslations("Console.language"),
    getLocale(),
  ]);
  const secret = q.enrol === "1" ? await ownEnrolmentSecret(staff, cookie) : undefined;
  return (
    <>
      <h1>{t("title")}</h1>
      <p>
        {staff.email} · {tc("role", { role: staff.role })}
      </p>
      {q.outcome === "session_ended" ? (
        <p className="notice" role="status" data-testid="outcome">
          {t("sessionEnded")}
        </p>
      ) : null}
      {q.outcome === "language_saved" ? (
        <p className="notice" role="status" data-testid="outcome">
          {tl("saved")}
        </p>
      ) : null}
      {q.error === "not_found" ? (
        <p className="alert" role="alert">
          {t("sessionGone")}
        </p>
      ) : null}
      {q.error === "language" ? (
        <p className="alert" role="alert">
          {tl("invalid")}
        </p>
      ) : null}
      <h2>{t("languageTitle")}</h2>
      <LanguageChoice
        current={staff.locale ?? pickLocale(locale) ?? "en"}
        label={tl("label")}
        submit={tl("save")}
      />
      <h2>{t("sessionsTitle")}</h2>
      <table className="queue" data-testid="own-sessions">
        <thead>
          <tr>
            <th>{t("signedIn")}</th>
            <th>{t("lastActive")}</th>
            <th>{t("address")}</th>
            <th>{t("browser")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.ref} data-session={s.ref}>
              <td>
                <OfficerTime iso={s.createdAt.toISOString()} />
              </td>
              <td>
                <OfficerTime iso={s.lastSeenAt.toISOString()} />
              </td>
              <td>{s.client ?? "—"}</td>
              <td>{s.userAgent ?? "—"}</td>
              <td>
                <form action={endSessionAction}>
                  <input type="hidden" name="ref" value={s.ref} />
                  <button className="button secondary" type="submit">
                    {s.current ? t("signOutHere") : t("endSession")}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t("passwordTitle")}</h2>
      <p>
        <a href="/admin/password" data-testid="change-password">
          {t("changePassword")}
        </a>
      </p>
      <h2>{t("mfaTitle")}</h2>
      <p data-testid="mfa-status">
        {mfa.enabled
          ? t("mfaOn", { count: mfa.recoveryCodesLeft })
          : mfa.required
            ? t("mfaRequired")
            : t("mfaOff")}
      </p>
      {secret ? (
        <Enrolment
          device={{ qr: await enrolmentQr(secret, staff.email), secret }}
          proof={mfa.enabled ? "password_and_code" : "password"}
          action={enrolAction}
        />
      ) : (
        <form action={startEnrolmentAction}>
          <button className="button secondary" type="submit" data-testid="start-enrolment">
            {mfa.enabled ? t("moveDevice") : t("turnOn")}
          </button>
        </form>
      )}
    </>
  );
}

export default withPageScope(AccountPage);
