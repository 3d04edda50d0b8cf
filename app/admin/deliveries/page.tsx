import Link from "next/link";
import { deadDeliveries } from "@/lib/delivery/console";
import { requireStaff } from "@/lib/staff/console";
import { replayDeadAction } from "../actions";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** Dead-lettered deliveries (every retry failed over ≥ 72 h), and replaying them. Admins only. */
export default async function DeliveriesPage({ searchParams }: Props) {
  await requireStaff("admin");
  const [dead, q] = await Promise.all([deadDeliveries(), searchParams]);
  return (
    <>
      <h1>Dead deliveries</h1>
      {typeof q.replayed === "string" ? (
        <p className="notice" role="status" data-testid="outcome">
          {q.replayed} deliveries scheduled again.
        </p>
      ) : null}
      {dead.length > 0 ? (
        <form action={replayDeadAction}>
          <button className="button" type="submit" data-testid="replay-dead">
            Replay all {dead.length}
          </button>
        </form>
      ) : (
        <p className="muted">None.</p>
      )}
      <table className="queue" data-testid="dead-deliveries">
        <tbody>
          {dead.map((d) => (
            <tr key={d.id}>
              <td>{d.destination}</td>
              <td>{d.eventType}</td>
              <td>{d.totalAttempts} attempts</td>
              <td>{d.lastError ?? "—"}</td>
              <td>{d.caseId ? <Link href={`/admin/cases/${d.caseId}`}>case</Link> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
