/** The languages cTrader ships; `lang` arrives as an ISO 639-1 code, maybe with a region. */
export const LOCALES = [
  "ar",
  "cs",
  "de",
  "el",
  "en",
  "es",
  "fr",
  "hu",
  "id",
  "it",
  "ja",
  "ko",
  "ms",
  "pl",
  "pt",
  "ru",
  "sk",
  "sl",
  "sr",
  "th",
  "tr",
  "vi",
  "zh",
] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";
const RTL: ReadonlySet<Locale> = new Set(["ar"]);

/** "de-CH" → "de", "PT_br" → "pt"; anything we do not ship → undefined. */
export function pickLocale(value: string | null | undefined): Locale | undefined {
  if (!value) return undefined;
  const base = value.trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(base ?? "") ? (base as Locale) : undefined;
}

export function directionOf(locale: string): "rtl" | "ltr" {
  return RTL.has(locale as Locale) ? "rtl" : "ltr";
}
