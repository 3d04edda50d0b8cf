import { getRequestConfig } from "next-intl/server";
import { formattingLocale, messagesFor } from "./catalogs";
import { requestLocale } from "./request-locale";

/** next-intl's per-request config: the locale (lib/i18n/request-locale.ts) and its catalog. */
export default getRequestConfig(async () => {
  const locale = await requestLocale();
  const messages = await messagesFor(locale);
  return { locale: formattingLocale(locale), messages, timeZone: "UTC" };
});
