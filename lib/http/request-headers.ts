/**
 * Request headers proxy.ts sets for the pages. Any client-sent header with these names is
 * deleted first, so a page can trust them.
 */
export const LANG_HEADER = "x-kyc-lang";
export const THEME_HEADER = "x-kyc-theme";
export const SOURCE_HEADER = "x-kyc-source";
export const NONCE_HEADER = "x-nonce";
/** "console" on /admin/**: the request's language is the officer's, not a trader session's. */
export const SURFACE_HEADER = "x-kyc-surface";
export const INTERNAL_HEADERS = [
  LANG_HEADER,
  THEME_HEADER,
  SOURCE_HEADER,
  NONCE_HEADER,
  SURFACE_HEADER,
];
