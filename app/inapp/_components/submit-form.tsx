"use client";

import { useActionState } from "react";
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
  return (
    <form action={submit} data-testid="submit-form">
      <input type="hidden" name={WINDOW_FIELD} value={windowRef} />
      {state.status === "error" ? (
        <p className="alert" role="alert" data-testid="submit-error">
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
