/**
 * The sign-in reference a trader's page carries (lib/inapp/window.ts), read from the page as the
 * browser's screen has it: a form's hidden `window` field, or the upload screen's `data-window`.
 * The trader API refuses a write without it (409 `other_sign_in`), so a client that calls the API
 * directly reads it from the page first, like the screen's script.
 */
export const WINDOW_HEADER = "x-kyc-window";

/** The reference a rendered trader page wrote, if it has one. */
export function windowRefIn(html: string): string | undefined {
  return /name="window" value="([^"]+)"/.exec(html)?.[1] ?? /data-window="([^"]+)"/.exec(html)?.[1];
}

/** Loads a trader page with the session cookie and reads its reference (throws without one). */
export async function fetchWindowRef(
  baseUrl: string,
  cookie: string,
  path: string,
  signal?: AbortSignal,
): Promise<string> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie }, signal });
  const html = await response.text();
  const ref = windowRefIn(html);
  if (response.status !== 200 || !ref)
    throw new Error(`${path}: HTTP ${response.status} without the window's reference`);
  return ref;
}
