import { redirect } from "next/navigation";
import { getPendingLogin } from "@/lib/staff/console";
import { CodeForm } from "../../_components/code-form";
import { codeAction } from "../../actions";
import { withPageScope } from "@/lib/http/action-scope";

/** The second step of a sign-in: the password was right, the console is not open yet. */
async function CodePage() {
  const pending = await getPendingLogin();
  if (pending?.stage !== "mfa") redirect("/admin/login");
  return (
    <section className="card narrow">
      <h1>Two-factor sign-in</h1>
      <CodeForm
        action={codeAction}
        label="Code from your authenticator app, or a recovery code"
        submit="Sign in"
      />
    </section>
  );
}

export default withPageScope(CodePage);
