import { redirect } from "next/navigation";
import { enrolmentQr } from "@/lib/staff/mfa";
import { getPendingLogin, getStaff } from "@/lib/staff/console";
import { Enrolment } from "../../_components/enrolment";
import { codeAction } from "../../actions";
import { withPageScope } from "@/lib/http/action-scope";

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
  if (!device && !(await getStaff())) redirect("/admin/login");
  return (
    <section className="card narrow">
      <h1>Set up two-factor sign-in</h1>
      <p>Your role signs in with a code from an authenticator app.</p>
      <Enrolment device={device} action={codeAction} />
    </section>
  );
}

export default withPageScope(EnrolPage);
