import { getTranslations } from "next-intl/server";
import { env } from "@/lib/env";
import { LtrValue } from "./ltr-value";

/** The broker's support contacts (SUPPORT_EMAIL, SUPPORT_PHONE, SUPPORT_URL), when configured. */
export async function SupportContacts() {
  const { support } = env();
  if (!support.email && !support.phone && !support.url) return null;
  const t = await getTranslations("Status");
  return (
    <section className="card" data-testid="support">
      <h2>{t("supportTitle")}</h2>
      <ul>
        {support.email ? (
          <li>
            <a href={`mailto:${support.email}`}>
              <LtrValue message={(email) => t("supportEmail", { email })} value={support.email} />
            </a>
          </li>
        ) : null}
        {support.phone ? (
          <li>
            <a href={`tel:${support.phone.replace(/[^+\d]/g, "")}`}>
              {t("supportPhone", { phone: support.phone })}
            </a>
          </li>
        ) : null}
        {support.url ? (
          <li>
            <a href={support.url} rel="noopener noreferrer">
              {t("supportUrl")}
            </a>
          </li>
        ) : null}
      </ul>
    </section>
  );
}
