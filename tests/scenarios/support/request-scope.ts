/**
 * The request scope of Next.js for scenario files: import this first in a scenario (before
 * anything that loads the app), so `next/headers` reads the acting browser's cookie jar and
 * `next-intl/server` speaks its language (tests/helpers/request-scope.ts).
 */
jest.mock("next/headers", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextHeaders(),
);
jest.mock("next-intl/server", () =>
  jest
    .requireActual<typeof import("../../helpers/request-scope")>("../../helpers/request-scope")
    .nextIntlServer(),
);

export {};
