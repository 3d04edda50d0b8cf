"use client";

import { useContext } from "react";
import { ErrorLabelsContext } from "./_components/error-labels";
import { LtrValue } from "./_components/ltr-value";

/**
 * A trader screen that failed to render, in the trader's language instead of Next's English
 * page. `retry` re-renders the screen on the server (router.refresh and reset in a transition);
 * the digest is what the server logged, for support to look up.
 */
export default function InAppError({ error, retry }: { error: unknown; retry: () => void }) {
  const labels = useContext(ErrorLabelsContext);
  // The words come from app/inapp/layout.tsx; anywhere else, the boundary above takes the error.
  if (!labels) throw error;
  const digest = (error as { digest?: unknown } | null | undefined)?.digest;
  return (
    <section className="card" role="alert" data-testid="error-screen">
      <h1>{labels.title}</h1>
      <p className="lead">{labels.body}</p>
      <button type="button" className="button" onClick={() => retry()} data-testid="error-retry">
        {labels.retry}
      </button>
      {typeof digest === "string" && digest ? (
        <p className="hint reference" data-testid="error-reference">
          <LtrValue message={(slot) => labels.reference.replace("{digest}", slot)} value={digest} />
        </p>
      ) : null}
    </section>
  );
}
