/**
 * The status email's words in every language the screens speak: each renders with every ICU
 * argument filled, in the trader's script and direction, and says nothing the trader did not
 * need to be told.
 */
import { caseStatus } from "@/lib/db/schema";
import { renderStatusEmail } from "@/lib/delivery/email-template";
import { LOCALES } from "@/lib/i18n/config";

const brand = {
  brokerName: "Atlas Markets",
  support: {
    email: "support@atlas.example",
    phone: "+44 20 7946 0000",
    url: "https://help.atlas.example",
  },
  legalEntity: "Atlas Markets Ltd",
};

describe("status email templates", () => {
  it.each([...LOCALES])(
    "renders a subject and body for every status in %s, with no missing argument",
    async (locale) => {
      const english = await renderStatusEmail({ locale: "en", status: "approved", brand });
      for (const status of caseStatus.enumValues) {
        // Strict: a message that fails to format throws instead of mailing a placeholder.
        const mail = await renderStatusEmail({ locale, status, brand });
        expect(mail.subject).toContain("Atlas Markets");
        for (const part of [mail.subject, mail.text, mail.html]) {
          expect(part).not.toMatch(/[{}]/); // an unformatted ICU argument
          expect(part).not.toContain("Email."); // next-intl's fallback for a missing key
        }
        expect(mail.text).toContain("support@atlas.example");
        expect(mail.text).toContain("+44 20 7946 0000");
        expect(mail.text).toContain("Atlas Markets Ltd");
        expect(mail.html).toContain(`<title>${mail.subject}</title>`);
      }
      // The renewal notice: its own words, with the expiry date formatted in the language.
      const renewal = await renderStatusEmail({
        locale,
        status: "approved",
        renewal: { expiresOn: "2031-05-01" },
        brand,
      });
      for (const part of [renewal.subject, renewal.text, renewal.html]) {
        expect(part).not.toMatch(/[{}]/);
        expect(part).not.toContain("Email.");
      }
      expect(renewal.text).toMatch(/2031|٢٠٣١|2574/); // th: the Buddhist era year
      const approved = await renderStatusEmail({ locale, status: "approved", brand });
      expect(renewal.subject).not.toBe(approved.subject);
      if (locale !== "en") expect(approved.subject).not.toBe(english.subject);
      const dir = locale === "ar" ? "rtl" : "ltr";
      const lang = locale === "sr" ? "sr-Latn" : locale;
      expect(approved.html).toContain(`<html lang="${lang}" dir="${dir}">`);
    },
  );

  it("says a different thing for each status, and tells an action-required trader where to go", async () => {
    const subjects = new Set<string>();
    for (const status of caseStatus.enumValues)
      subjects.add((await renderStatusEmail({ locale: "en", status, brand })).subject);
    expect(subjects.size).toBe(caseStatus.enumValues.length);
    const mail = await renderStatusEmail({ locale: "en", status: "action_required", brand });
    expect(mail.text).toContain("Open the verification screen in cTrader");
    expect(mail.text).toContain("Status: Action required");
  });

  it("escapes configured text in the HTML body", async () => {
    const mail = await renderStatusEmail({
      locale: "en",
      status: "approved",
      brand: { ...brand, brokerName: 'Atlas <script>alert("x")</script>' },
    });
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("Atlas &lt;script&gt;");
  });

  it("leaves out the support block when no contact is configured", async () => {
    const mail = await renderStatusEmail({
      locale: "en",
      status: "approved",
      brand: { brokerName: "Atlas Markets", support: {} },
    });
    expect(mail.text).not.toContain("Questions?");
    expect(mail.html).not.toContain("<ul");
  });
});
