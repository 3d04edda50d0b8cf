"use client";

/**
 * Closes the screen the way each host understands: cTrader's apps watch for CLOSE_URL and close
 * their browser; an iframe host (cTrader Web) hears the postMessage. A plain link, so it works
 * before hydration and without JavaScript.
 */
export function CloseControl({ href, label }: { href: string; label: string }) {
  return (
    <a
      className="close"
      href={href}
      aria-label={label}
      title={label}
      data-testid="close-control"
      onClick={() => {
        if (window.parent !== window) window.parent.postMessage({ type: "inapp-kyc:close" }, "*");
      }}
    >
      <span aria-hidden="true">×</span>
    </a>
  );
}
