import type { CaseFile } from "@/lib/review/case-file";
import type { AttemptNote } from "@/lib/delivery/attempt-note";
import { CASE_STATUSES } from "@/lib/kyc/statuses";
import { getConsoleLabels } from "@/lib/review/labels";
import { replayEventAction } from "../../../actions";
import { Time } from "./value";
import { getCaseWords } from "./words";
import { CaseFields } from "./case-fields";

export async function Deliveries({ file }: { file: CaseFile }) {
  const [{ t, why }, label] = await Promise.all([getCaseWords(), getConsoleLabels()]);
  // An access state is a case status, or one of the states only the account adapter knows.
  const state = (s: string) =>
    (CASE_STATUSES as readonly string[]).includes(s)
      ? label.status(s)
      : t("deliveries.accessState", { state: s });
  const noteText = (note: AttemptNote) =>
    [
      noteCode(note),
      ...(note.code === "rights_set" && note.gone ? [goneText(note.gone)] : []),
    ].join("; ");
  const goneText = (logins: number[]) =>
    t("deliveries.goneLogins", { logins: logins.map(String).join(", ") });
  const noteCode = (note: AttemptNote) =>
    t("deliveries.note", {
      code: note.code,
      by: note.code === "superseded" || note.code === "news_superseded" ? String(note.by) : "",
      rights: note.code === "rights_set" ? note.rights : "",
      state:
        note.code === "no_access_rights" || note.code === "rights_set" ? state(note.state) : "",
      eventState: note.code === "rights_set" && note.eventState ? state(note.eventState) : "",
      changed: note.code === "rights_set" && note.eventState ? "yes" : "no",
    });
  // The receiver's own text is detail after our words for why, never the lead.
  const lastKind = (d: CaseFile["deliveryLog"][number]) =>
    d.attemptLog.findLast((a) => !a.ok)?.errorKind ?? null;
  const lastError = (text: string, kind: string | null) => (
    <>
      {" · "}
      <span data-error-kind={kind ?? ""}>
        {t("deliveries.lastError", { error: kind ? label.deliveryError(kind) : text })}
      </span>
      {kind ? (
        <small className="muted" lang="en">
          {" "}
          (<bdi>{text}</bdi>)
        </small>
      ) : null}
    </>
  );
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
            <tr key={d.id} data-status={d.status} data-destination={d.destination}>
              <td>{label.destination(d.destination)}</td>
              <td>
                <strong>{label.deliveryStatus(d.status)}</strong> ·{" "}
                {t("deliveries.attempts", { count: d.totalAttempts })}
                {d.lastError ? lastError(d.lastError, lastKind(d)) : null}
                {d.state === "sending" ? (
                  <span data-testid="delivery-sending"> · {t("deliveries.sending")}</span>
                ) : null}
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
                    {a.note ? ` (${a.note.ok ? noteText(a.note.note) : a.note.text})` : ""}{" "}
                  </span>
                ))}
              </td>
              <td>
                {file.controls.replayDeliveries.enabled && d.status !== "pending" ? (
                  <form action={replayEventAction}>
                    <CaseFields file={file} />
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
