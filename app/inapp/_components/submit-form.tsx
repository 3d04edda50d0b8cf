"use client";

import { useActionState, useEffect, useRef } from "react";
import { WINDOW_FIELD } from "@/lib/inapp/window-ref";
import { submitCaseAction, type SubmitFormState } from "../kyc/actions";

export function SubmitForm({
  labels,
  windowRef,
}: {
  labels: { declaration: string; submit: string };
  /** The sign-in this page was rendered for (lib/inapp/window.ts). */
  windowRef: string;
}) {
  const [state, submit, pending] = useActionState(submitCaseAction, {
    status: "idle",
  } as SubmitFormState);
  const alert = useRef<HTMLParagraphElement>(null);
  // The refusal takes focus, so a screen reader reads it and a phone scrolls to it.
  useEffect(() => {
    if (state.status === "error") alert.current?.focus();
  }, [state]);
  return (
    // noValidate: an unticked declaration is refused by the action in the trader's language; the
    // browser's own bubble speaks the phone's language and is cut off in a narrow webview.
    <form action={submit} noValidate data-testid="submit-form">
      <input type="hidden" name={WINDOW_FIELD} value={windowRef} />
      {state.status === "error" ? (
        <p className="alert" role="alert" tabIndex={-1} ref={alert} data-testid="submit-error">
          {state.message}
        </p>
      ) : null}
      <label className="choice">
        <input type="checkbox" name="declaration" value="yes" required />
        <span>{labels.declaration}</span>
      </label>
      <div className="actions">
        <button className="button" type="submit" disabled={pending} data-testid="submit-case">
          {labels.submit}
        </button>
      </div>
    </form>
  );
}
