import { listAccounts, STAFF_ADMIN_OUTCOMES, STAFF_ADMIN_REFUSALS } from "@/lib/staff/accounts";
import { requireStaff } from "@/lib/staff/console";
import { changeRoleAction, disableStaffAction, resetMfaAction } from "../actions";
import { ResetPasswordForm } from "./reset-password-form";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const ROLES = ["reviewer", "approver", "admin"] as const;

/** Console accounts, for admins: role, disable, password and second-factor resets. */
async function StaffPage({ searchParams }: Props) {
  const admin = await requireStaff("admin");
  const q = await searchParams;
  const accounts = await listAccounts(admin);
  const outcome = Object.entries(STAFF_ADMIN_OUTCOMES).find(([k]) => k === q.outcome)?.[1];
  const refusal =
    Object.entries(STAFF_ADMIN_REFUSALS).find(([k]) => k === q.error)?.[1] ??
    (q.error ? "That did not work. Try again." : undefined);
  return (
    <>
      <h1>Console accounts</h1>
      <p className="muted">
        New accounts: <code>npm run staff:create</code>. Your own account is changed by another
        admin.
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
            <th>Account</th>
            <th>Role</th>
            <th>Two-factor</th>
            <th>Last sign-in</th>
            <th>Status</th>
            <th>Password</th>
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
                    <span className="visually-hidden">Role of {a.email}</span>
                    <select name="role" defaultValue={a.role}>
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </label>{" "}
                  <button className="button secondary" type="submit" disabled={a.id === admin.id}>
                    Change
                  </button>
                </form>
              </td>
              <td>
                {a.mfaEnabledAt ? "on" : a.mfaRequired ? "to enrol" : "off"}
                {a.mfaEnabledAt && a.id !== admin.id ? (
                  <form action={resetMfaAction}>
                    <input type="hidden" name="staffId" value={a.id} />
                    <button className="button secondary" type="submit">
                      Reset (lost device)
                    </button>
                  </form>
                ) : null}
              </td>
              <td>{a.lastLoginAt?.toISOString().slice(0, 16).replace("T", " ") ?? "never"}</td>
              <td>
                {a.disabledAt ? "disabled" : "active"}
                {a.id !== admin.id ? (
                  <form action={disableStaffAction}>
                    <input type="hidden" name="staffId" value={a.id} />
                    <input type="hidden" name="disabled" value={a.disabledAt ? "0" : "1"} />
                    <button className="button secondary" type="submit">
                      {a.disabledAt ? "Enable" : "Disable"}
                    </button>
                  </form>
                ) : null}
              </td>
              <td>{a.id !== admin.id ? <ResetPasswordForm staffId={a.id} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export default withPageScope(StaffPage);
