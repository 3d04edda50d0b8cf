"use client";

/**
 * Closes the screen. Spotware documents one signal: cTrader's apps close their browser on a
 * redirect to the success URL Spotware configured for the broker, which CLOSE_URL names
 * (docs/ctrader-integration.md#embedding). The postMessage is for a broker's own iframe host
 * (Spotware documents none for cTrader Web). A plain link, so it works before hydration and
 * without JavaScript; with it, a beacon first ends the session — the one this window was rendered
 * for (lib/inapp/close.ts), so a tab of an earlier sign-in cannot sign out a newer one.
 */
import { WINDOW_FIELD } from "@/lib/inapp/window-ref";

export function CloseControl({
  href,
  label,
  text,
  testId = "close-control",
  windowRef,
}: {
  href: string;
  label: string;
  /** Shown as a button with this text instead of the × in the corner. */
  text?: string;
  testId?: string;
  /** The sign-in this page was rendered for (lib/inapp/window.ts); none on a screen without one. */
  windowRef?: string;
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
        navigator.sendBeacon?.(
          "/api/inapp/close",
          windowRef ? new URLSearchParams({ [WINDOW_FIELD]: windowRef }) : undefined,
        );
        if (window.parent !== window) window.parent.postMessage({ type: "inapp-kyc:close" }, "*");
      }}
    >
      {text ?? <span aria-hidden="true">×</span>}
    </a>
  );
}
