/**
 * The words of app/global-error.tsx, the page Next shows when the root layout itself fails: no
 * next-intl provider and no request there, only the browser. The language is the URL's `lang`
 * (what cTrader sends), else the browser's own preference (what it sends as Accept-Language),
 * else English. The English words are part of the page, so its server-rendered HTML says
 * something before (or without) JavaScript; another language's catalog is loaded only once the
 * page is shown: the page is part of every screen's bundle, the other 22 catalogs are not.
 */
import { DEFAULT_LOCALE, localeFromAcceptLanguage, pickLocale, type Locale } from "./config";

export type GlobalErrorWords = { title: string; body: string; retry: string; close: string };

/**
 * messages/en.json's words, written out: importing the catalog would put all of it (~24 KiB
 * gzip) into a bundle every screen carries. tests/app/global-error.test.ts holds them equal.
 */
export const ENGLISH_WORDS: GlobalErrorWords = {
  title: "Something went wrong",
  body: "This screen could not be shown. Try again; if it keeps happening, close this window and contact support.",
  retry: "Try again",
  close: "Close this window",
};

export function globalErrorLocale(search: string, languages: readonly string[]): Locale {
  return (
    pickLocale(new URLSearchParams(search).get("lang")) ??
    localeFromAcceptLanguage(languages.join(",")) ??
    DEFAULT_LOCALE
  );
}

type Words = {
  ErrorScreen?: Partial<Record<string, string>>;
  Expired?: Partial<Record<string, string>>;
};

function pick(catalog: Words): Partial<GlobalErrorWords> {
  return {
    title: catalog.ErrorScreen?.title,
    body: catalog.ErrorScreen?.body,
    retry: catalog.ErrorScreen?.retry,
    close: catalog.Expired?.closeAction,
  };
}

export async function globalErrorWords(locale: Locale): Promise<GlobalErrorWords> {
  if (locale === DEFAULT_LOCALE) return ENGLISH_WORDS;
  const own = pick((await import(`../../messages/${locale}.json`)).default as Words);
  return {
    title: own.title ?? ENGLISH_WORDS.title,
    body: own.body ?? ENGLISH_WORDS.body,
    retry: own.retry ?? ENGLISH_WORDS.retry,
    close: own.close ?? ENGLISH_WORDS.close,
  };
}
