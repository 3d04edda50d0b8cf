import { getRequestConfig } from "next-intl/server";
import { headers } from "next/headers";
import { DEFAULT_LOCALE, pickLocale } from "./config";
import { LANG_HEADER } from "@/lib/http/request-headers";
import { getScreenSession } from "@/lib/inapp/screen-context";

type Catalog = { [key: string]: string | Catalog };

/** `base` with `over`'s messages where it has them: a key a catalog lacks falls back to English. */
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
function messagesFor(locale: string): Promise<Catalog> {
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

/**
 * Locale for this request: `?lang=` (copied into a request header by proxy.ts, which also
 * strips any client-sent copy), else the language the session started with, else English.
 */
export default getRequestConfig(async () => {
  const fromQuery = pickLocale((await headers()).get(LANG_HEADER));
  const locale = fromQuery ?? pickLocale((await getScreenSession())?.locale) ?? DEFAULT_LOCALE;
  const messages = await messagesFor(locale);
  // Our Serbian catalog is in Latin script; plain "sr" would format dates in Cyrillic.
  return { locale: locale === "sr" ? "sr-Latn" : locale, messages, timeZone: "UTC" };
});
