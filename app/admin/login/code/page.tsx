import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "@/lib/i18n/translations";
import { getPendingLogin } from "@/lib/staff/console";
import { CodeForm } from "../../_components/code-form";
import { codeAction } from "../../actions";
import { withPageScope } from "@/lib/http/action-scope";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Console.code"))("title") };
}

/** The second step of a sign-in: the password was right, the console is not open yet. */
async function CodePage() {
  const pending = await getPendingLogin();
  if (pending?.stage !== "mfa") redirect("/admin/login");
  const [t, te] = await Promise.all([
    getTranslations("Console.code"),
    getTranslations("Console.enrol"),
  ]);
  return (
    <section className="card narrow">
      <h1>{t("title")}</h1>
      <CodeForm
        action={codeAction}
        label={t("label")}
        submit={t("submit")}
        done={{ recoveryCodes: te("recoveryCodes"), continue: te("continue") }}
      />
    </section>
  );
}

export default withPageScope(CodePage);
