/**
 * The root layout itself failed: Next shows app/global-error.tsx as the whole document. It is
 * its own page (html and body), in the trader's language when the URL or the browser names one
 * we ship, with a way to close the window through CLOSE_URL, and nothing of the error.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import GlobalError from "@/app/global-error";
import { GET as closeRedirect } from "@/app/api/inapp/close/route";
import { LOCALES } from "@/lib/i18n/config";
import { globalErrorLocale, globalErrorWords } from "@/lib/i18n/global-error";
import { setTestEnv } from "../helpers/env";
import ar from "@/messages/ar.json";
import de from "@/messages/de.json";
import en from "@/messages/en.json";

afterEach(() => setTestEnv());

const failure = Object.assign(new Error('relation "sessions" does not exist at 10.0.3.7'), {
  digest: "3301",
});

test("renders its own document with a close link through CLOSE_URL and nothing of the error", () => {
  const html = renderToStaticMarkup(
    createElement(GlobalError, { error: failure, retry: () => {} }),
  );

  expect(html).toMatch(/^<html lang="en" dir="ltr">.*<body>/);
  expect(html).toContain('data-testid="global-error"');
  expect(html).toContain('href="/api/inapp/close"');
  expect(html).toContain('data-testid="global-error-retry"');
  expect(html).not.toContain("sessions");
  expect(html).not.toContain("10.0.3.7");
});

test("its HTML says what happened in English before JavaScript loads the trader's language", () => {
  const html = renderToStaticMarkup(
    createElement(GlobalError, { error: failure, retry: () => {} }),
  );
  const text = (testId: string) =>
    new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html)?.[1];

  expect(html).toContain(`<h1>${escape(en.ErrorScreen.title)}</h1>`);
  expect(html).toContain(`>${escape(en.ErrorScreen.body)}</p>`);
  expect(text("global-error-retry")).toBe(escape(en.ErrorScreen.retry));
  expect(text("global-error-close")).toBe(escape(en.Expired.closeAction));
});

test("the close link's hop redirects to CLOSE_URL, the navigation cTrader closes its browser on", async () => {
  setTestEnv({ CLOSE_URL: "https://broker.example/kyc-done" });
  const response = await closeRedirect(new Request("https://broker.test/api/inapp/close"));

  expect(response.status).toBe(303);
  expect(response.headers.get("location")).toBe("https://broker.example/kyc-done");
});

test("speaks the URL's language first, then the browser's, else English", () => {
  expect(globalErrorLocale("?lang=de-CH&theme=dark", ["fr-FR", "fr"])).toBe("de");
  expect(globalErrorLocale("?lang=xx", ["nl-NL", "ar-EG", "en"])).toBe("ar");
  expect(globalErrorLocale("", ["pt-BR"])).toBe("pt");
  expect(globalErrorLocale("", ["nl", "sv"])).toBe("en");
  expect(globalErrorLocale("", [])).toBe("en");
});

test("its words are the catalog's, in every language we ship", async () => {
  // English is written into the page (not imported with its whole catalog): the same words.
  expect(await globalErrorWords("en")).toEqual({
    title: en.ErrorScreen.title,
    body: en.ErrorScreen.body,
    retry: en.ErrorScreen.retry,
    close: en.Expired.closeAction,
  });
  expect(await globalErrorWords("de")).toEqual({
    title: de.ErrorScreen.title,
    body: de.ErrorScreen.body,
    retry: de.ErrorScreen.retry,
    close: de.Expired.closeAction,
  });
  expect((await globalErrorWords("ar")).title).toBe(ar.ErrorScreen.title);
  for (const locale of LOCALES) {
    const words = await globalErrorWords(locale);
    expect(Object.values(words).every((word) => typeof word === "string" && word)).toBe(true);
    if (locale !== "en") expect(words.title).not.toBe(en.ErrorScreen.title);
  }
});

/** How React writes text into HTML. */
const escape = (words: string) =>
  words
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/'/g, "&#x27;")
    .replace(/"/g, "&quot;");
