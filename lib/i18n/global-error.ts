/**
 * The words of app/global-error.tsx, the page Next shows when the root layout itself fails: no
 * next-intl provider and no request there, only the browser. The language is the URL's `lang`
 * (what cTrader sends), else the browser's own preference (what it sends as Accept-Language),
 * else English. The English words are part of the page, so its server-rendered HTML says
 * something before (or without) JavaScript; another language's catalog is loaded only once the
 * page is shown: the page is part of every screen's bundle, the other 22 catalogs are not.
 */
import en from "../../messages/en.json";
import { DEFAULT_LOCALE, localeFromAcceptLanguage, pickLocale, type Locale } from "./config";

export type GlobalErrorWords = { title: string; body: string; retry: string; close: string };

export const ENGLISH_WORDS: GlobalErrorWords = {
  title: en.ErrorScreen.title,
  body: en.ErrorScreen.body,
  retry: en.ErrorScreen.retry,
  close: en.Expired.closeAction,
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
