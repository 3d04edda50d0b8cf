import { enrolmentQr } from "@/lib/staff/mfa";
import { listOwnSessions, ownEnrolmentSecret, ownMfaStatus } from "@/lib/staff/accounts";
import { requireStaff, staffCookieValue } from "@/lib/staff/console";
import { Enrolment } from "../_components/enrolment";
import { endSessionAction, enrolAction, startEnrolmentAction } from "../actions";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** One's own account: where one is signed in (and ending it), and the second factor. */
async function AccountPage({ searchParams }: Props) {
  const staff = await requireStaff("reviewer");
  const q = await searchParams;
  const cookie = await staffCookieValue();
  const [sessions, mfa] = await Promise.all([listOwnSessions(staff, cookie), ownMfaStatus(staff)]);
  const secret = q.enrol === "1" ? await ownEnrolmentSecret(staff, cookie) : undefined;
  return (
    <>
      <h1>Your account</h1>
      <p>
        {staff.email} · {staff.role}
      </p>
      {q.outcome === "session_ended" ? (
        <p className="notice" role="status" data-testid="outcome">
          That session is ended.
        </p>
      ) : null}
      {q.error === "not_found" ? (
        <p className="alert" role="alert">
          That session had already ended.
        </p>
      ) : null}
      <h2>Where you are signed in</h2>
      <table className="queue" data-testid="own-sessions">
        <thead>
          <tr>
            <th>Signed in</th>
            <th>Last active</th>
            <th>Address</th>
            <th>Browser</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.ref} data-session={s.ref}>
              <td>{s.createdAt.toISOString().replace("T", " ").slice(0, 16)} UTC</td>
              <td>{s.lastSeenAt.toISOString().replace("T", " ").slice(0, 16)} UTC</td>
              <td>{s.client ?? "—"}</td>
              <td>{s.userAgent ?? "—"}</td>
              <td>
                <form action={endSessionAction}>
                  <input type="hidden" name="ref" value={s.ref} />
                  <button className="button secondary" type="submit">
                    {s.current ? "Sign out here" : "End session"}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Two-factor sign-in</h2>
      <p data-testid="mfa-status">
        {mfa.enabled
          ? `On. ${mfa.recoveryCodesLeft} unused recovery codes left.`
          : mfa.required
            ? "Required for your role."
            : "Off. Your role may sign in with a password alone."}
      </p>
      {secret ? (
        <Enrolment
          device={{ qr: await enrolmentQr(secret, staff.email), secret }}
          action={enrolAction}
        />
      ) : (
        <form action={startEnrolmentAction}>
          <button className="button secondary" type="submit" data-testid="start-enrolment">
            {mfa.enabled
              ? "Move to a new device (new recovery codes)"
              : "Turn on two-factor sign-in"}
          </button>
        </form>
      )}
    </>
  );
}

export default withPageScope(AccountPage);
