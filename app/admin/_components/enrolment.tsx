import { getTranslations } from "@/lib/i18n/translations";
import type { CodeState } from "../actions";
import { CodeForm } from "./code-form";

type Props = {
  /** Undefined once the code was accepted: the form then shows the recovery codes it kept. */
  device?: { qr: string; secret: string };
  /**
   * What else is asked for: from the account page the password (a first enrolment) or the
   * password and a current code (moving an existing factor); nothing right after the password at
   * sign-in.
   */
  proof?: "password" | "password_and_code";
  action: (previous: CodeState, form: FormData) => Promise<CodeState>;
};

/** Enrolment of an authenticator app: the QR code, the key as text, the first code. */
export async function Enrolment({ device, proof, action }: Props) {
  const t = await getTranslations("Console.enrol");
  const passwordField = (
    <>
      <label htmlFor="password">{t("currentPassword")}</label>
      <input
        id="password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
      />
    </>
  );
  return (
    <CodeForm
      action={action}
      label={t("label")}
      submit={t("submit")}
      done={{ recoveryCodes: t("recoveryCodes"), continue: t("continue") }}
      intro={
        device ? (
          <>
            <p>{t("scan")}</p>
            {/* eslint-disable-next-line @next/next/no-img-element -- a data URL, nothing to optimise */}
            <img className="qr" src={device.qr} alt={t("qrAlt")} width={220} height={220} />
            <p>
              {t("key")} <code data-testid="totp-secret">{device.secret}</code>
            </p>
            {proof === "password" ? (
              <div className="field" data-testid="enrol-password">
                {passwordField}
              </div>
            ) : null}
            {proof === "password_and_code" ? (
              <fieldset data-testid="move-proof">
                <legend>{t("moveProof")}</legend>
                <div className="field">{passwordField}</div>
                <div className="field">
                  <label htmlFor="currentCode">{t("currentCode")}</label>
                  <input
                    id="currentCode"
                    name="currentCode"
                    inputMode="text"
                    autoComplete="off"
                    maxLength={40}
                    required
                  />
                </div>
              </fieldset>
            ) : null}
          </>
        ) : null
      }
    />
  );
}
