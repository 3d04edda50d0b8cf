import { getRequestConfig } from "next-intl/server";
import { headers } from "next/headers";
import { formattingLocale, messagesFor } from "./catalogs";
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
  const messages = await messagesFor(locale);
  return { locale: formattingLocale(locale), messages, timeZone: "UTC" };
});
