/**
 * The request scope of Next.js for scenario files that render the console in its officer's
 * language: import this first (before anything that loads the app), so `next/headers` reads the
 * console's request headers and `next-intl/server` picks the locale through the real
 * lib/i18n/request-locale.ts (tests/helpers/request-scope.ts). Trader scenarios import
 * ./request-scope instead.
 */
jest.mock("next/headers", () => {
  const scope = jest.requireActual<typeof import("../../helpers/request-scope")>(
    "../../helpers/request-scope",
  );
  return scope.nextHeaders(scope.consoleHeaders);
});
jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextIntlServerFromRequest(),
);

export {};
