import {
  isStaffAdminOutcome,
  isStaffAdminRefusal,
  listAccounts,
  STAFF_ADMIN_REFUSALS,
} from "@/lib/staff/accounts";
import { requireStaff } from "@/lib/staff/console";
import { getTranslations } from "@/lib/i18n/translations";
import { changeRoleAction, disableStaffAction, resetMfaAction } from "../actions";
import { OfficerTime } from "../_components/officer-time";
import { ResetPasswordForm } from "./reset-password-form";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const ROLES = ["reviewer", "approver", "admin"] as const;

/** Console accounts, for admins: role, disable, password and second-factor resets. */
async function StaffPage({ searchParams }: Props) {
  const admin = await requireStaff("admin");
  const q = await searchParams;
  const [accounts, t] = await Promise.all([listAccounts(admin), getTranslations("ConsoleAdmin")]);
  const outcome = isStaffAdminOutcome(q.outcome)
    ? t("staff.outcome", { outcome: q.outcome })
    : undefined;
  const refusal = q.error
    ? t("staff.refusal", { error: isStaffAdminRefusal(q.error) ? q.error : "other" })
    : undefined;
  // The reset form's refusals, worded here: the action returns only the code.
  const refusals = Object.fromEntries([
    ...STAFF_ADMIN_REFUSALS.map((code) => [code, t("staff.refusal", { error: code })]),
    ["failed", t("staff.refusal", { error: "other" })],
  ]) as Record<string, string>;
  return (
    <>
      <h1>{t("staff.title")}</h1>
      <p className="muted">
        {t.rich("staff.intro", {
          code: (chunks) => <code>{chunks}</code>,
          command: "npm run staff:create",
        })}
      </p>
      {outcome ? (
        <p className="notice" role="status" data-testid="outcome">
          {outcome}
        </p>
      ) : null}
      {refusal ? (
        <p className="alert" role="alert" data-testid="error">
          {refusal}
        </p>
      ) : null}
      <table className="queue" data-testid="staff-accounts">
        <thead>
          <tr>
            <th>{t("staff.account")}</th>
            <th>{t("staff.role")}</th>
            <th>{t("staff.twoFactor")}</th>
            <th>{t("staff.lastSignIn")}</th>
            <th>{t("staff.status")}</th>
            <th>{t("staff.password")}</th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={a.id} data-staff={a.email}>
              <td>
                {a.displayName}
                <br />
                <span className="muted">{a.email}</span>
              </td>
              <td>
                <form action={changeRoleAction}>
                  <input type="hidden" name="staffId" value={a.id} />
                  <label>
                    <span className="visually-hidden">{t("staff.roleOf", { email: a.email })}</span>
                    <select name="role" defaultValue={a.role}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t("staff.roleName", { role: r })}
                        </option>
                      ))}
                    </select>
                  </label>{" "}
                  <button className="button secondary" type="submit" disabled={a.id === admin.id}>
                    {t("staff.change")}
                  </button>
                </form>
              </td>
              <td>
                {t("staff.mfa", {
                  state: a.mfaEnabledAt ? "on" : a.mfaRequired ? "enrol" : "off",
                })}
                {a.mfaEnabledAt && a.id !== admin.id ? (
                  <form action={resetMfaAction}>
                    <input type="hidden" name="staffId" value={a.id} />
                    <button className="button secondary" type="submit">
                      {t("staff.resetMfa")}
                    </button>
                  </form>
                ) : null}
              </td>
              <td>
                {a.lastLoginAt ? (
                  <OfficerTime iso={a.lastLoginAt.toISOString()} />
                ) : (
                  t("staff.never")
                )}
              </td>
              <td>
                {t("staff.accountState", { state: a.disabledAt ? "disabled" : "active" })}
                {a.id !== admin.id ? (
                  <form action={disableStaffAction}>
                    <input type="hidden" name="staffId" value={a.id} />
                    <input type="hidden" name="disabled" value={a.disabledAt ? "0" : "1"} />
                    <button className="button secondary" type="submit">
                      {a.disabledAt ? t("staff.enable") : t("staff.disable")}
                    </button>
                  </form>
                ) : null}
              </td>
              <td>
                {a.id !== admin.id ? (
                  <ResetPasswordForm
                    staffId={a.id}
                    text={{
                      reset: t("staff.resetPassword"),
                      shownOnce: t("staff.newPassword"),
                      refusals,
                    }}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export default withPageScope(StaffPage);
