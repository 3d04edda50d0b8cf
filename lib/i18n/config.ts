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

/** Java's old ISO 639 codes, which Android's Locale.getLanguage() still returns. */
const LEGACY_CODES: Readonly<Record<string, string>> = { in: "id" };

/** "de-CH" → "de", "PT_br" → "pt", Android's "in" → "id"; anything we do not ship → undefined. */
export function pickLocale(value: string | null | undefined): Locale | undefined {
  if (!value) return undefined;
  const code = value.trim().toLowerCase().split(/[-_]/)[0] ?? "";
  const base = LEGACY_CODES[code] ?? code;
  return (LOCALES as readonly string[]).includes(base) ? (base as Locale) : undefined;
}

/**
 * The first language of an Accept-Language header we ship, by the browser's preference order
 * (q-values; "*" and languages we lack are skipped); undefined when none fits.
 */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(",")
    .slice(0, 32)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const weight = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      // A malformed weight drops the entry (RFC 9110), never ranks it first.
      const q =
        weight === undefined
          ? 1
          : /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(weight)
            ? Number(weight.slice(2))
            : 0;
      return { tag: tag.trim(), q, index };
    })
    .filter((entry) => entry.tag && entry.tag !== "*" && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const locale = pickLocale(tag);
    if (locale) return locale;
  }
  return undefined;
}

export function directionOf(locale: string): "rtl" | "ltr" {
  return RTL.has(locale as Locale) ? "rtl" : "ltr";
}
