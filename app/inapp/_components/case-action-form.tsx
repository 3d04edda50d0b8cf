"use client";

import { useActionState } from "react";
import { WINDOW_FIELD } from "@/lib/inapp/window-ref";
import type { CaseActionState } from "../kyc/actions";

/** One button that runs a case action ("Try again", "Renew now") and says why it was refused. */
export function CaseActionForm({
  action,
  label,
  testId,
  windowRef,
}: {
  action: (previous: CaseActionState, form: FormData) => Promise<CaseActionState>;
  label: string;
  testId: string;
  /** The sign-in this page was rendered for (lib/inapp/window.ts). */
  windowRef: string;
}) {
  const [state, submit, pending] = useActionState(action, { status: "idle" } as CaseActionState);
  return (
    <form action={submit}>
      <input type="hidden" name={WINDOW_FIELD} value={windowRef} />
      {state.status === "error" ? (
        <p className="alert" role="alert" data-testid={`${testId}-error`}>
          {state.message}
        </p>
      ) : null}
      <button className="button" type="submit" data-testid={testId} disabled={pending}>
        {label}
      </button>
    </form>
  );
}
