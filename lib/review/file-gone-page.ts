/**
 * What the document route answers a browser (the case page's Open link, a tab of its own) for a
 * file an interrupted erasure deleted: a small page in the officer's language instead of the
 * JSON an API caller gets. Self-contained: no script, no style, nothing loads.
 */
import { directionOf } from "@/lib/i18n/config";
import { escapeHtml } from "@/lib/kyc/country-select";

export function renderFileGonePage(locale: string, message: string): string {
  return `<!doctype html>
<html lang="${escapeHtml(locale)}" dir="${directionOf(locale)}"><head><meta charset="utf-8"><title>${escapeHtml(message)}</title></head>
<body><p role="alert" data-reason="file_gone">${escapeHtml(message)}</p></body></html>
`;
}

/** A browser navigation asks for HTML first; an API caller (fetch, curl) does not. */
export function wantsHtml(request: Request): boolean {
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(request.headers.get("accept") ?? "");
}
