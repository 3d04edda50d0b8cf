"use client";

/**
 * The root layout itself failed (its session or settings lookup threw): Next shows this page in
 * place of the whole document, without the layout's language, theme or next-intl provider. It
 * says so in English in its HTML (so it says something before or without JavaScript), then in the
 * trader's language once that catalog has loaded (lib/i18n/global-error.ts); it offers to try
 * again and to close the window, and shows nothing of the error. The close link goes through
 * GET /api/inapp/close, which redirects to CLOSE_URL (a setting this browser-side page cannot
 * read): that redirect is what cTrader closes its browser on. It sends no beacon: without the
 * layout there is no window reference to name the session with.
 */
import { useEffect, useState } from "react";
import { directionOf, DEFAULT_LOCALE, type Locale } from "@/lib/i18n/config";
import {
  ENGLISH_WORDS,
  globalErrorLocale,
  globalErrorWords,
  type GlobalErrorWords,
} from "@/lib/i18n/global-error";
import "./globals.css";

export default function GlobalError({ retry }: { error: unknown; retry: () => void }) {
  const [locale, setLocale] = useState<Locale>(DEFAULT_LOCALE);
  const [words, setWords] = useState<GlobalErrorWords>(ENGLISH_WORDS);
  useEffect(() => {
    const chosen = globalErrorLocale(window.location.search, navigator.languages ?? []);
    void globalErrorWords(chosen)
      .catch(() => globalErrorWords(DEFAULT_LOCALE))
      .then((loaded) => {
        setLocale(chosen);
        setWords(loaded);
      });
  }, []);
  return (
    <html lang={locale} dir={directionOf(locale)}>
      <body>
        <main id="content">
          <section className="card" role="alert" data-testid="global-error">
            <h1>{words.title}</h1>
            <p className="lead">{words.body}</p>
            <button
              type="button"
              className="button"
              onClick={() => retry()}
              data-testid="global-error-retry"
            >
              {words.retry}
            </button>{" "}
            <a
              className="button secondary"
              href="/api/inapp/close"
              data-testid="global-error-close"
            >
              {words.close}
            </a>
          </section>
        </main>
      </body>
    </html>
  );
}
