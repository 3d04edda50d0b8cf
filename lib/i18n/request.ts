import { getRequestConfig } from "next-intl/server";
import { headers } from "next/headers";
import { DEFAULT_LOCALE, pickLocale } from "./config";
import { LANG_HEADER } from "@/lib/http/request-headers";
import { getScreenSession } from "@/lib/inapp/screen-context";

/**
 * Locale for this request: `?lang=` (copied into a request header by proxy.ts, which also
 * strips any client-sent copy), else the language the session started with, else English.
 */
export default getRequestConfig(async () => {
  const fromQuery = pickLocale((await headers()).get(LANG_HEADER));
  const locale = fromQuery ?? pickLocale((await getScreenSession())?.locale) ?? DEFAULT_LOCALE;
  let messages;
  try {
    messages = (await import(`../../messages/${locale}.json`)).default;
  } catch {
    messages = (await import("../../messages/en.json")).default;
  }
  // Our Serbian catalog is in Latin script; plain "sr" would format dates in Cyrillic.
  return { locale: locale === "sr" ? "sr-Latn" : locale, messages, timeZone: "UTC" };
});
