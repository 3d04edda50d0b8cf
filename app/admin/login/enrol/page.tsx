import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "@/lib/i18n/translations";
import { enrolmentQr } from "@/lib/staff/mfa";
import { getPasswordChanger, getPendingLogin } from "@/lib/staff/console";
import { Enrolment } from "../../_components/enrolment";
import { codeAction } from "../../actions";
import { withPageScope } from "@/lib/http/action-scope";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Console.enrol"))("title") };
}

/**
 * An account whose role needs a second factor enrols it before the console opens. The accepted
 * code signs in (a new cookie), which renders this page again: it then keeps the same form, so
 * the recovery codes the form received stay on screen until "Continue".
 */
async function EnrolPage() {
  const pending = await getPendingLogin();
  const device =
    pending?.stage === "enrol" && pending.enrolSecret
      ? {
          qr: await enrolmentQr(pending.enrolSecret, pending.staff.email),
          secret: pending.enrolSecret,
        }
      : undefined;
  // After the code: signed in, also one whose password an admin set (the password page comes
  // after "Continue"), so the recovery codes stay on screen.
  if (!device && !(await getPasswordChanger())) redirect("/admin/login");
  const t = await getTranslations("Console.enrol");
  return (
    <section className="card narrow">
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      <Enrolment device={device} action={codeAction} />
    </section>
  );
}

export default withPageScope(EnrolPage);
