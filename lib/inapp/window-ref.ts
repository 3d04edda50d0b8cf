/**
 * How a trader's window names the sign-in it was rendered for (lib/inapp/window.ts): the form
 * field its forms post and the header its requests send. No server code here: the screens'
 * client components import it.
 */
export const WINDOW_FIELD = "window";
export const WINDOW_HEADER = "x-kyc-window";

/** The header a screen's request carries, as `fetch` takes it. */
export function windowHeaders(windowRef: string): Record<string, string> {
  return { [WINDOW_HEADER]: windowRef };
}
