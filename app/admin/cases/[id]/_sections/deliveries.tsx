import type { CaseFile } from "@/lib/review/case-file";
import { replayEventAction } from "../../../actions";
import { Time } from "./value";
import { getCaseWords } from "./words";

export async function Deliveries({ file }: { file: CaseFile }) {
  const { t, why } = await getCaseWords();
  return (
    <section className="card" data-testid="delivery-log" aria-labelledby="delivery-title">
      <h2 id="delivery-title">{t("deliveries.title")}</h2>
      {file.deliveryLog.length === 0 ? <p className="muted">{t("deliveries.none")}</p> : null}
      {!file.controls.replayDeliveries.enabled &&
      file.deliveryLog.some((d) => d.status !== "delivered") ? (
        <p
          className="muted"
          data-testid="why"
          data-control="replayDeliveries"
          data-why={file.controls.replayDeliveries.why}
        >
          {why(file.controls.replayDeliveries.why)}
        </p>
      ) : null}
      <table className="queue">
        <tbody>
          {file.deliveryLog.map((d) => (
            <tr key={d.id} data-status={d.status}>
              <td>{d.destination}</td>
              <td>
                <strong>{d.status}</strong> ·{" "}
                {t("deliveries.attempts", { count: String(d.totalAttempts) })}
                {d.lastError ? ` · ${t("deliveries.lastError", { error: d.lastError })}` : ""}
                {d.status === "pending" ? (
                  <>
                    {" "}
                    · {t("deliveries.nextAttempt")} <Time at={d.nextAttemptAt} />
                  </>
                ) : null}
              </td>
              <td>
                {d.attemptLog.map((a) => (
                  <span key={a.id} className="muted">
                    #{a.attempt} {a.ok ? t("deliveries.ok") : t("deliveries.failed")}
                    {a.httpStatus ? ` ${a.httpStatus}` : ""}
                    {a.note ? ` (${a.note})` : ""}{" "}
                  </span>
                ))}
              </td>
              <td>
                {file.controls.replayDeliveries.enabled && d.status !== "pending" ? (
                  <form action={replayEventAction}>
                    <input type="hidden" name="caseId" value={file.kycCase.id} />
                    <input type="hidden" name="eventId" value={d.eventId} />
                    <button className="button secondary" type="submit">
                      {t("deliveries.replay")}
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
