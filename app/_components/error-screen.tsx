"use client";

import { useContext } from "react";
import { LtrValue } from "@/app/inapp/_components/ltr-value";
import { ErrorLabelsContext } from "./error-labels";

/**
 * A screen that failed to render (a trader's, or a console page), in its reader's language
 * instead of Next's English page. `retry` re-renders the screen on the server (router.refresh
 * and reset in a transition); the digest is what the server logged, for support to look up.
 */
export function ErrorScreen({ error, retry }: { error: unknown; retry: () => void }) {
  const labels = useContext(ErrorLabelsContext);
  // The words come from the surface's layout; without them, the boundary above takes the error.
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
