import Link from "next/link";
import { deliveryOverview } from "@/lib/delivery/console";
import { requireStaff } from "@/lib/staff/console";
import { replayDeadAction, replayDeliveryAction } from "../actions";
import { Time } from "../cases/[id]/_sections/value";
import { withPageScope } from "@/lib/http/action-scope";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const STATES = [
  ["waiting", "Waiting for a first attempt"],
  ["failing", "Failing, retrying on schedule"],
  ["dead", "Dead (retries ran out)"],
  ["delivered", "Delivered"],
] as const;

/** Every delivery not yet delivered: retrying ones with their last error, dead ones to replay. */
async function DeliveriesPage({ searchParams }: Props) {
  await requireStaff("admin");
  const [{ counts, pending, dead }, q] = await Promise.all([deliveryOverview(), searchParams]);
  return (
    <>
      <h1>Deliveries</h1>
      {typeof q.replayed === "string" ? (
        <p className="notice" role="status" data-testid="outcome">
          {q.replayed} deliveries scheduled again.
        </p>
      ) : q.error === "failed" ? (
        <p className="alert" role="alert" data-testid="outcome">
          That did not work; nothing was changed.
        </p>
      ) : null}
      <section className="card" aria-labelledby="counts-title">
        <h2 id="counts-title">By state</h2>
        <dl className="facts" data-testid="delivery-counts">
          {STATES.map(([state, label]) => (
            <div key={state} style={{ display: "contents" }}>
              <dt>{label}</dt>
              <dd data-state={state}>{counts[state]}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card" aria-labelledby="pending-title">
        <h2 id="pending-title">Not delivered yet ({counts.waiting + counts.failing})</h2>
        {pending.length === 0 ? (
          <p className="muted">Every delivery so far has been delivered or has run out.</p>
        ) : (
          <table className="queue" data-testid="pending-deliveries">
            <thead>
              <tr>
                <th>Destination</th>
                <th>Event</th>
                <th>Attempts</th>
                <th>Last error</th>
                <th>Next attempt</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {pending.map((d) => (
                <tr key={d.id} data-state={d.lastError ? "failing" : "waiting"}>
                  <td>{d.destination}</td>
                  <td>{d.eventType}</td>
                  <td>{d.totalAttempts}</td>
                  <td>{d.lastError ?? "—"}</td>
                  <td>
                    <Time at={d.nextAttemptAt} />
                  </td>
                  <td>{d.caseId ? <Link href={`/admin/cases/${d.caseId}`}>case</Link> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="dead-title">
        <h2 id="dead-title">Dead ({counts.dead})</h2>
        {dead.length === 0 ? (
          <p className="muted">No delivery has run out of retries.</p>
        ) : (
          <>
            <form action={replayDeadAction}>
              <button className="button" type="submit" data-testid="replay-dead">
                Replay all {counts.dead}
              </button>
            </form>
            <table className="queue" data-testid="dead-deliveries">
              <thead>
                <tr>
                  <th>Destination</th>
                  <th>Event</th>
                  <th>Attempts</th>
                  <th>Last error</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {dead.map((d) => (
                  <tr key={d.id} data-state="dead">
                    <td>{d.destination}</td>
                    <td>{d.eventType}</td>
                    <td>{d.totalAttempts}</td>
                    <td>{d.lastError ?? "—"}</td>
                    <td>
                      <form action={replayDeliveryAction}>
                        <input type="hidden" name="eventId" value={d.eventId} />
                        <input type="hidden" name="destination" value={d.destination} />
                        <button className="button secondary" type="submit">
                          Replay
                        </button>
                      </form>
                      {d.caseId ? <Link href={`/admin/cases/${d.caseId}`}>case</Link> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}

export default withPageScope(DeliveriesPage);
