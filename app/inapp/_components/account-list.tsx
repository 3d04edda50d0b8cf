import { getTranslations } from "next-intl/server";
import type { MaskedAccount } from "@/lib/identity/phone-handoff";

/** The masked account a screen names before the trader acts on a link (handoff, resume). */
export async function AccountList({ account, testId }: { account: MaskedAccount; testId: string }) {
  const t = await getTranslations("Handoff");
  const { login, email } = account;
  return (
    <ul data-testid={testId}>
      {login ? <li>{t("accountLogin", { login })}</li> : null}
      {email ? <li>{t("accountEmail", { email })}</li> : null}
      {!login && !email ? <li>{t("accountUnknown")}</li> : null}
    </ul>
  );
}
