import { LoginForm } from "./login-form";

export default function LoginPage() {
  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <LoginForm />
    </section>
  );
}
