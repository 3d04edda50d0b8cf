/**
 * The query parameters cTrader appends to a screen URL (contract §3.2). Everything but `token`
 * is optional; values we do not recognise are dropped (never an error: the trader cannot fix a
 * URL cTrader built); unknown parameters are ignored. `source` and `theme` compare
 * case-insensitively and are normalised to the documented spelling.
 */
import { DOCUMENT_TYPES, type DocumentType } from "@/lib/documents/upload-contract";
import { cleanText } from "@/lib/http/text";
import { pickLocale, type Locale } from "@/lib/i18n/config";

export { DOCUMENT_TYPES, type DocumentType };

export const SCREENS = {
  kyc: "/inapp/kyc",
  upload: "/inapp/kyc/upload",
  status: "/inapp/kyc/status",
} as const;
export type Screen = keyof typeof SCREENS;

/** The landing URL's one-use code that reopens the session in a new window (lib/identity/resume.ts). */
export const RESUME_PARAM = "resume";

const SOURCES = ["Web", "Android", "iOS", "MacOS", "Desktop"] as const;
export type Source = (typeof SOURCES)[number];
export type Theme = "light" | "dark";

export type ScreenParams = {
  token: string | undefined;
  lang: Locale | undefined;
  source: Source | undefined;
  theme: Theme | undefined;
  kycType: string | undefined;
  documentType: DocumentType | undefined;
  account: string | undefined;
  utm: Record<string, string>;
};

const MAX_TOKEN_LENGTH = 2048;

/**
 * Control characters (NUL above all) are dropped from every value (lib/http/text.ts): a value
 * that fails only when stored would fail after the token was spent.
 */
function one(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null ? undefined : cleanText(value).trim();
}

export function screenOf(pathname: string): Screen | undefined {
  const path = pathname.replace(/\/+$/, "");
  return (Object.keys(SCREENS) as Screen[]).find((s) => SCREENS[s] === path);
}

export function parseSource(value: string | undefined | null): Source | undefined {
  const lower = value?.trim().toLowerCase();
  return SOURCES.find((s) => s.toLowerCase() === lower);
}

export function parseTheme(value: string | undefined | null): Theme | undefined {
  const lower = value?.trim().toLowerCase();
  return lower === "light" || lower === "dark" ? lower : undefined;
}

export function parseDocumentType(value: string | undefined | null): DocumentType | undefined {
  const lower = value?.trim().toLowerCase();
  return DOCUMENT_TYPES.find((d) => d === lower);
}

/** A token longer than any real one is kept as "" (present but malformed), never truncated. */
export function entryToken(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const token = value.trim();
  return token.length <= MAX_TOKEN_LENGTH ? token : "";
}

export function parseScreenParams(params: URLSearchParams): ScreenParams {
  const token = params.get("token");
  const kycType = one(params, "kycType")?.toLowerCase();
  const account = one(params, "account");
  const utm: Record<string, string> = {};
  for (const key of ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"]) {
    const value = one(params, key);
    if (value) utm[key] = value.slice(0, 200);
  }
  return {
    token: entryToken(token),
    lang: pickLocale(one(params, "lang")),
    source: parseSource(one(params, "source")),
    theme: parseTheme(one(params, "theme")),
    kycType: kycType && /^[a-z0-9_-]{1,40}$/.test(kycType) ? kycType : undefined,
    documentType: parseDocumentType(one(params, "documentType")),
    account: account && /^\d{1,18}$/.test(account) ? account : undefined,
    utm,
  };
}
