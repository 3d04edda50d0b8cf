/**
 * The words of app/global-error.tsx, the page Next shows when the root layout itself fails: no
 * next-intl provider and no request there, only the browser. The language is the URL's `lang`
 * (what cTrader sends), else the browser's own preference (what it sends as Accept-Language),
 * else English. Only that language's catalog is loaded, and only once the page is shown: the
 * page is part of every screen's bundle, the 23 catalogs are not.
 */
import { DEFAULT_LOCALE, localeFromAcceptLanguage, pickLocale, type Locale } from "./config";

export type GlobalErrorWords = { title: string; body: string; retry: string; close: string };

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
  const en = pick((await import("../../messages/en.json")).default as Words) as GlobalErrorWords;
  if (locale === DEFAULT_LOCALE) return en;
  const own = pick((await import(`../../messages/${locale}.json`)).default as Words);
  return {
    title: own.title ?? en.title,
    body: own.body ?? en.body,
    retry: own.retry ?? en.retry,
    close: own.close ?? en.close,
  };
}
