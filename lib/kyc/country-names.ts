import { COUNTRY_CODES } from "./countries";
import { escapeHtml } from "./country-select";

/** Countries with names in the trader's language, sorted for that language. */
export function countryOptions(locale: string): { code: string; name: string }[] {
  const names = new Intl.DisplayNames([locale, "en"], { type: "region" });
  const collator = new Intl.Collator(locale);
  return COUNTRY_CODES.map((code) => ({ code, name: names.of(code) ?? code })).sort((a, b) =>
    collator.compare(a.name, b.name),
  );
}

const htmlByLocale = new Map<string, string>();

/**
 * The ~250 `<option>`s of a country select as one HTML string, built once per locale. The
 * forms put it into their selects as inner HTML: React then hydrates one element instead of
 * 250 per select, which is most of a phone's main-thread time on these screens.
 */
export function countryOptionsHtml(locale: string): string {
  let html = htmlByLocale.get(locale);
  if (html === undefined) {
    html = countryOptions(locale)
      .map((c) => `<option value="${c.code}">${escapeHtml(c.name)}</option>`)
      .join("");
    htmlByLocale.set(locale, html);
  }
  return html;
}
