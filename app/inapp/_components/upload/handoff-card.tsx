"use client";

/**
 * The "continue on your phone" card of the upload and selfie screens: a button that loads the
 * QR hand-off (its code only when asked for), which stays open to say when no link can be made.
 */
import { lazy, Suspense, useState } from "react";

const PhoneHandoff = lazy(() => import("./phone-handoff"));

export function HandoffCard({
  documentType,
  labels,
  windowRef,
  onFollow,
  primary = false,
}: {
  documentType: string;
  labels: Record<string, string>;
  /** The sign-in this page was rendered for (lib/inapp/window.ts). */
  windowRef: string;
  onFollow: () => void;
  /** The way forward on this screen (no camera for a selfie), not an alternative. */
  primary?: boolean;
}) {
  const [open, setOpen] = useState(false);
  return (
    <section className="card" data-testid="phone-handoff">
      <h2>{labels.phoneTitle}</h2>
      {open ? (
        <Suspense fallback={<p role="status">{labels.phoneTitle}…</p>}>
          <PhoneHandoff
            documentType={documentType}
            labels={labels}
            windowRef={windowRef}
            onFollow={onFollow}
          />
        </Suspense>
      ) : (
        <button
          type="button"
          className={primary ? "button" : "button secondary"}
          onClick={() => setOpen(true)}
          data-testid="start-handoff"
        >
          {labels.phoneTitle}
        </button>
      )}
    </section>
  );
}
