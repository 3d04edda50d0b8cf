/**
 * The message catalogs, each over English: a key a catalog lacks falls back to English's message.
 * Shared by the request config (screens) and by whatever renders outside a request (email).
 */
export type Catalog = { [key: string]: string | Catalog };

/** `base` with `over`'s messages where it has them. */
function withFallback(base: Catalog, over: Catalog): Catalog {
  const out: Catalog = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const fallback = base[key];
    out[key] =
      typeof value === "object" && typeof fallback === "object"
        ? withFallback(fallback, value)
        : value;
  }
  return out;
}

const catalogs = new Map<string, Promise<Catalog>>();

/** The locale's catalog over English, built once per process and locale. */
export function messagesFor(locale: string): Promise<Catalog> {
  let found = catalogs.get(locale);
  if (!found) {
    found = (async () => {
      const en = (await import("../../messages/en.json")).default as Catalog;
      if (locale === "en") return en;
      try {
        return withFallback(en, (await import(`../../messages/${locale}.json`)).default as Catalog);
      } catch {
        return en;
      }
    })();
    catalogs.set(locale, found);
  }
  return found;
}

/** Our Serbian catalog is in Latin script; plain "sr" would format dates in Cyrillic. */
export function formattingLocale(locale: string): string {
  return locale === "sr" ? "sr-Latn" : locale;
}
