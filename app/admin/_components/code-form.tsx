"use client";

import Link from "next/link";
import { useActionState, type ReactNode } from "react";
import type { CodeState } from "../actions";

type Props = {
  action: (previous: CodeState, form: FormData) => Promise<CodeState>;
  /** What the field takes: a code from the app, or also a recovery code. */
  label: string;
  submit: string;
  /** What the form says once an enrolment's code is accepted, above the recovery codes. */
  done: { recoveryCodes: string; continue: string };
  /** Shown above the field until the code is accepted (an enrolment's QR code and key). */
  intro?: ReactNode;
};

/** A one-time code form; after an enrolment it shows the recovery codes, once. */
export function CodeForm({ action, label, submit, done, intro }: Props) {
  const [state, send, pending] = useActionState(action, {} as CodeState);
  if (state.recoveryCodes)
    return (
      <div data-testid="recovery-codes">
        <p className="notice" role="status">
          {done.recoveryCodes}
        </p>
        <ul className="codes">
          {state.recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <Link className="button" href="/admin" data-testid="continue-to-console">
          {done.continue}
        </Link>
      </div>
    );
  return (
    <form action={send} data-testid="code-form">
      {intro}
      {state.error ? (
        <p className="alert" role="alert" data-testid="code-error">
          {state.error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="code">{label}</label>
        <input
          id="code"
          name="code"
          inputMode="text"
          autoComplete="one-time-code"
          maxLength={40}
          required
        />
      </div>
      <button className="button" type="submit" disabled={pending}>
        {submit}
      </button>
    </form>
  );
}
