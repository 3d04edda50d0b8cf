"use client";

import { useActionState } from "react";
import { loginAction, type LoginState } from "../actions";

export function LoginForm() {
  const [state, submit, pending] = useActionState(loginAction, {} as LoginState);
  return (
    <form action={submit} data-testid="login-form">
      {state.error ? (
        <p className="alert" role="alert" data-testid="login-error">
          {state.error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
      </div>
      <button className="button" type="submit" disabled={pending}>
        Sign in
      </button>
    </form>
  );
}
