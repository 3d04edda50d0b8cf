"use client";

import { useActionState } from "react";
import { loginAction, type LoginState } from "../actions";

type Props = { labels: { email: string; password: string; submit: string } };

export function LoginForm({ labels }: Props) {
  const [state, submit, pending] = useActionState(loginAction, {} as LoginState);
  return (
    <form action={submit} data-testid="login-form">
      {state.error ? (
        <p className="alert" role="alert" data-testid="login-error">
          {state.error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="email">{labels.email}</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
      </div>
      <div className="field">
        <label htmlFor="password">{labels.password}</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
      </div>
      <button className="button" type="submit" disabled={pending}>
        {labels.submit}
      </button>
    </form>
  );
}
