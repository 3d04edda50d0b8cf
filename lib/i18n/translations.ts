/**
 * `getTranslations` for server components, with ICU message formats kept for the life of the
 * process instead of one request.
 *
 * next-intl's own `getTranslations` gets a fresh formatter cache per request (React `cache`),
 * so every render parses each ICU message it uses again (`{status, select, …}` and friends)
 * and builds a new IntlMessageFormat for it: about a third of a millisecond of CPU per status
 * screen render. Formats depend only on the message text, the locale, the time zone and the
 * formats, which are all part of the cache key, so sharing them across requests is safe; the
 * set is bounded by the catalogs (23 locales × their messages).
 *
 * Locale, messages and time zone still come from the request (lib/i18n/request.ts, through
 * next-intl). That config defines no `formats`, `onError` or `getMessageFallback`; should it
 * ever, pass them here too.
 */
import {
  _createCache,
  _createIntlFormatters,
  createTranslator,
  type Locale,
  type Messages,
  type NamespaceKeys,
  type NestedKeyOf,
} from "next-intl";
import { getLocale, getMessages, getTimeZone } from "next-intl/server";

type Namespace = NamespaceKeys<Messages, NestedKeyOf<Messages>>;

const sharedCache = _createCache();
const sharedFormatters = _createIntlFormatters(sharedCache);

/** A translator for one request's locale, messages and time zone, on the process-wide formats. */
export function translatorFor<N extends Namespace>(
  request: { locale: Locale; messages: Messages; timeZone: string },
  namespace: N,
) {
  return createTranslator<Messages, N>({
    locale: request.locale,
    messages: request.messages,
    timeZone: request.timeZone,
    namespace,
    _cache: sharedCache,
    _formatters: sharedFormatters,
  });
}

/** Drop-in for next-intl's `getTranslations(namespace)` in server components. */
export async function getTranslations<N extends Namespace>(namespace: N) {
  const [locale, messages, timeZone] = await Promise.all([
    getLocale(),
    getMessages(),
    getTimeZone(),
  ]);
  return translatorFor({ locale, messages: messages as Messages, timeZone }, namespace);
}

/** How many message formats the process holds (for tests). */
export function sharedMessageFormatCount(): number {
  return Object.keys(sharedCache.message).length;
}
