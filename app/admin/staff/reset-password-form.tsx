"use client";

import { useActionState } from "react";
import { resetPasswordAction, type ResetPasswordState } from "../actions";

/** Resets a password; the generated one is shown here once, never put in a URL. */
export function ResetPasswordForm({
  staffId,
  text,
}: {
  staffId: string;
  /** The button, the line before the new password and each refusal code's words. */
  text: { reset: string; shownOnce: string; refusals: Record<string, string> };
}) {
  const [state, send, pending] = useActionState(resetPasswordAction, {} as ResetPasswordState);
  return (
    <form action={send}>
      <input type="hidden" name="staffId" value={staffId} />
      {state.password ? (
        <p role="status" data-testid="new-password">
          {text.shownOnce} <code>{state.password}</code>
        </p>
      ) : null}
      {state.error ? (
        <p role="alert" data-error={state.error}>
          {text.refusals[state.error] ?? text.refusals.failed}
        </p>
      ) : null}
      <button className="button secondary" type="submit" disabled={pending}>
        {text.reset}
      </button>
    </form>
  );
}
