/**
 * The request scope of Next.js with the language the app would resolve (lib/i18n/request-locale.ts):
 * import this first in a test file (before anything that loads the app), so `next/headers` reads
 * the acting browser's cookie jar and `next-intl/server` takes the language from `lang` on the URL
 * (which proxy.ts forwards as a header) or the session. tests/scenarios/support/request-scope.ts
 * is the same pair with a fixed language.
 */
jest.mock("next/headers", () =>
  jest.requireActual<typeof import("./request-scope")>("./request-scope").nextHeaders(),
);
jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("./request-scope")>("./request-scope")
    .nextIntlServerFromRequest(),
);

export {};
