/**
 * The request scope Next.js gives a server action or a route handler, for tests: a cookie jar
 * (the "browser") behind `next/headers`, and English translations behind `next-intl/server`.
 *
 *   jest.mock("next/headers", () =>
 *     jest.requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope").nextHeaders(),
 *   );
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createTranslator } from "use-intl";
import en from "@/messages/en.json";

export const TRADER_COOKIE = "__Host-kyc_session";
export const jar = new Map<string, string>();
/**
 * A jar of its own for requests run inside `ownJar.run(cookies, …)`: one browser whose requests
 * overlap another's in time (the shared `jar` holds one browser at a time).
 */
export const ownJar = new AsyncLocalStorage<Map<string, string>>();
const currentJar = () => ownJar.getStore() ?? jar;

/** Sets (or with undefined, clears) the trader's session cookie of the "browser". */
export function setTraderCookie(value: string | undefined): void {
  if (value === undefined) jar.delete(TRADER_COOKIE);
  else jar.set(TRADER_COOKIE, value);
}

export function nextHeaders(requestHeaders: Record<string, string> = {}) {
  return {
    cookies: async () => {
      const cookies = currentJar();
      return {
        get: (name: string) => (cookies.has(name) ? { name, value: cookies.get(name) } : undefined),
        set: (c: { name: string; value: string }) => cookies.set(c.name, c.value),
        delete: (name: string) => cookies.delete(name),
      };
    },
    headers: async () => {
      const all = new Headers(requestHeaders);
      for (const [name, value] of browserHeaders) all.set(name, value);
      return all;
    },
  };
}

/**
 * Request headers the "browser" sends with every request until cleared: what the browser says
 * about the request itself (`sec-fetch-dest: iframe` inside cTrader Web's frame) and what
 * proxy.ts forwards from the URL (`x-kyc-lang`).
 */
export const browserHeaders = new Map<string, string>();

/** The language the "browser" asked for (cTrader's `lang`): what next-intl hands the pages. */
let locale = "en";
export function setRequestLocale(next: string): void {
  locale = next;
}

function messagesOf(which: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return which === "en" ? en : (require(`@/messages/${which}.json`) as Record<string, unknown>);
}

export function nextIntlServer() {
  return {
    getTranslations: async (namespace: string) =>
      createTranslator({
        locale,
        messages: messagesOf(locale) as typeof en,
        namespace: namespace as never,
      }),
    getLocale: async () => locale,
    getMessages: async () => messagesOf(locale),
    getTimeZone: async () => "UTC",
  };
}

/**
 * The request headers proxy.ts hands a console page (`x-kyc-surface: console`), plus what the
 * "browser" sends; a test changes them between requests (`nextHeaders(consoleHeaders)` reads
 * them on every call).
 */
export const consoleHeaders: Record<string, string> = { "x-kyc-surface": "console" };

/**
 * `next-intl/server` the way lib/i18n/request.ts configures it: every call resolves the locale
 * through the real lib/i18n/request-locale.ts (the signed-in officer, the cookie jar, the
 * headers above) and reads that locale's catalog over English.
 */
export function nextIntlServerFromRequest() {
  const config = async () => {
    const { requestLocale } = await import("@/lib/i18n/request-locale");
    const { formattingLocale, messagesFor } = await import("@/lib/i18n/catalogs");
    const locale = await requestLocale();
    return { locale: formattingLocale(locale), messages: await messagesFor(locale) };
  };
  return {
    getTranslations: async (namespace: string) => {
      const { locale, messages } = await config();
      return createTranslator({
        locale,
        messages: messages as typeof en,
        namespace: namespace as never,
      });
    },
    getLocale: async () => (await config()).locale,
    getMessages: async () => (await config()).messages,
    getTimeZone: async () => "UTC",
  };
}
