/**
 * The status email's words, in the trader's language: subject, a plain-text body and an HTML
 * alternative, from the `Email` namespace of the message catalogs (English fills any key a
 * catalog lacks, as on the screens).
 *
 * What it says, on purpose: the status in plain words, what to do next, the broker and its
 * support contacts. What it never says: names, document details, the reviewer's message or notes
 * (the trader reads those on the verification screen, behind their session), and no link that
 * signs anyone in — a mail can be forwarded, and traders learn that a sign-in link in our name
 * is a phishing attempt.
 */
import { createTranslator, type Messages } from "next-intl";
import type { CaseStatus } from "@/lib/db/schema";
import { formattingLocale, messagesFor } from "@/lib/i18n/catalogs";
import { directionOf, type Locale } from "@/lib/i18n/config";

export type EmailBrand = {
  brokerName: string;
  support: { email?: string; phone?: string; url?: string };
  legalEntity?: string;
};

export type RenderedEmail = { subject: string; text: string; html: string };

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

/**
 * Renders the mail for one status. Strict: a message that fails to format (a missing ICU
 * argument) throws instead of mailing a placeholder to a trader.
 */
export async function renderStatusEmail(input: {
  locale: Locale;
  status: CaseStatus;
  /** A renewal notice instead of a status change: the identity document's expiry date. */
  renewal?: { expiresOn: string };
  brand: EmailBrand;
}): Promise<RenderedEmail> {
  const { locale, status, renewal, brand } = input;
  const t = createTranslator<Messages, "Email">({
    locale: formattingLocale(locale),
    messages: (await messagesFor(locale)) as unknown as Messages,
    namespace: "Email",
    timeZone: "UTC",
    onError: (error) => {
      throw error;
    },
  });
  // In a right-to-left mail, Latin names, addresses and phone numbers are isolated (FSI…PDI),
  // so "+44 20 7946 0000" is not reordered by the surrounding Arabic.
  const isolate = (value: string) =>
    directionOf(locale) === "rtl" ? `\u2068${value}\u2069` : value;
  const broker = isolate(brand.brokerName);
  const { email, phone, url } = brand.support;
  const expires = renewal ? new Date(`${renewal.expiresOn}T00:00:00Z`) : undefined;
  const subject = expires ? t("renewalSubject", { broker }) : t("subject", { broker, status });
  const greeting = t("greeting");
  const headline = expires ? t("renewalHeadline", { date: expires }) : t("headline", { status });
  const statusLine = expires ? t("renewalStatus") : t("statusLine", { status });
  const next = expires ? t("renewalNext") : t("next", { status });
  const contacts = [
    email ? { text: t("supportEmail", { email: isolate(email) }), href: `mailto:${email}` } : null,
    phone
      ? {
          text: t("supportPhone", { phone: isolate(phone) }),
          href: `tel:${phone.replace(/[^+\d]/g, "")}`,
        }
      : null,
    url ? { text: t("supportUrl", { url: isolate(url) }), href: url } : null,
  ].filter((c) => c !== null);
  const supportTitle = contacts.length ? t("supportTitle", { broker }) : null;
  const footer = t("footer", { broker });

  const text = [
    greeting,
    "",
    headline,
    statusLine,
    "",
    next,
    ...(supportTitle ? ["", supportTitle, ...contacts.map((c) => c.text)] : []),
    "",
    "-- ",
    footer,
    ...(brand.legalEntity ? [brand.legalEntity] : []),
    "",
  ].join("\n");

  const h = escapeHtml;
  const muted = "font-size:13px;color:#57606a;margin:0 0 8px";
  const html = `<!doctype html>
<html lang="${h(formattingLocale(locale))}" dir="${directionOf(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(subject)}</title>
</head>
<body style="margin:0;padding:24px 16px;background:#ffffff;color:#1f2328;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:16px;line-height:1.5">
<div role="article" aria-label="${h(subject)}" style="max-width:560px;margin:0 auto">
<p style="font-weight:600;margin:0 0 16px">${h(brand.brokerName)}</p>
<p style="margin:0 0 16px">${h(greeting)}</p>
<h1 style="font-size:20px;line-height:1.3;margin:0 0 8px">${h(headline)}</h1>
<p style="margin:0 0 16px"><strong>${h(statusLine)}</strong></p>
<p style="margin:0 0 24px">${h(next)}</p>
${
  supportTitle
    ? `<h2 style="font-size:16px;margin:0 0 8px">${h(supportTitle)}</h2>
<ul style="margin:0 0 24px;padding-inline-start:20px">
${contacts.map((c) => `<li><a href="${h(c.href)}" style="color:#0a58ca">${h(c.text)}</a></li>`).join("\n")}
</ul>
`
    : ""
}<hr style="border:none;border-top:1px solid #d0d7de;margin:0 0 16px">
<p style="${muted}">${h(footer)}</p>
${brand.legalEntity ? `<p style="${muted}">${h(brand.legalEntity)}</p>\n` : ""}</div>
</body>
</html>
`;
  return { subject, text, html };
}
