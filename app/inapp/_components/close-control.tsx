"use client";

/**
 * Closes the screen. Spotware documents one signal: cTrader's apps close their browser on a
 * redirect to the success URL Spotware configured for the broker, which CLOSE_URL names
 * (docs/ctrader-integration.md#embedding). The postMessage is for a broker's own iframe host
 * (Spotware documents none for cTrader Web). A plain link, so it works before hydration and
 * without JavaScript; with it, a beacon first ends the session.
 */
export function CloseControl({
  href,
  label,
  text,
  testId = "close-control",
}: {
  href: string;
  label: string;
  /** Shown as a button with this text instead of the × in the corner. */
  text?: string;
  testId?: string;
}) {
  return (
    <a
      className={text ? "button" : "close"}
      href={href}
      aria-label={text ? undefined : label}
      title={label}
      data-testid={testId}
      onClick={() => {
        // Survives the navigation that follows; without a session the route just answers 204.
        navigator.sendBeacon?.("/api/inapp/close");
        if (window.parent !== window) window.parent.postMessage({ type: "inapp-kyc:close" }, "*");
      }}
    >
      {text ?? <span aria-hidden="true">×</span>}
    </a>
  );
}
