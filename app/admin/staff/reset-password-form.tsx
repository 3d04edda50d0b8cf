"use client";

import { useActionState } from "react";
import { resetPasswordAction, type ResetPasswordState } from "../actions";

/** Resets a password; the generated one is shown here once, never put in a URL. */
export function ResetPasswordForm({
  staffId,
  text,
}: {
  staffId: string;
  /** The button and the line before the new password, in the officer's language. */
  text: { reset: string; shownOnce: string };
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
      {state.error ? <p role="alert">{state.error}</p> : null}
      <button className="button secondary" type="submit" disabled={pending}>
        {text.reset}
      </button>
    </form>
  );
}
