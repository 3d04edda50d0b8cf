import { LoginForm } from "./login-form";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

async function LoginPage({ searchParams }: Props) {
  const { error } = await searchParams;
  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      {error === "expired" ? (
        <p className="alert" role="alert" data-testid="login-expired">
          That sign-in took too long or had too many wrong codes. Start again.
        </p>
      ) : null}
      <LoginForm />
    </section>
  );
}

export default withPageScope(LoginPage);
