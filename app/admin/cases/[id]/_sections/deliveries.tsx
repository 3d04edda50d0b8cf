import type { CaseFile } from "@/lib/review/case-file";
import { replayEventAction } from "../../../actions";

export function Deliveries({ file }: { file: CaseFile }) {
  return (
    <section className="card" data-testid="delivery-log" aria-labelledby="delivery-title">
      <h2 id="delivery-title">Status delivery</h2>
      {file.deliveryLog.length === 0 ? <p className="muted">No events yet.</p> : null}
      <table className="queue">
        <tbody>
          {file.deliveryLog.map((d) => (
            <tr key={d.id} data-status={d.status}>
              <td>{d.destination}</td>
              <td>
                <strong>{d.status}</strong> · {d.totalAttempts} attempts
                {d.lastError ? ` · last error: ${d.lastError}` : ""}
              </td>
              <td>
                {d.attemptLog.map((a) => (
                  <span key={a.id} className="muted">
                    #{a.attempt} {a.ok ? "ok" : "failed"}
                    {a.httpStatus ? ` ${a.httpStatus}` : ""}
                    {a.note ? ` (${a.note})` : ""}{" "}
                  </span>
                ))}
              </td>
              <td>
                {file.can.replayDeliveries && d.status !== "pending" ? (
                  <form action={replayEventAction}>
                    <input type="hidden" name="caseId" value={file.kycCase.id} />
                    <input type="hidden" name="eventId" value={d.eventId} />
                    <button className="button secondary" type="submit">
                      Replay
                    </button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
