import Link from "next/link";
import { DELIVERY_STATES, deliveryOverview } from "@/lib/delivery/console";
import { requireStaff } from "@/lib/staff/console";
import { replayDeadAction, replayDeliveryAction } from "../actions";
import { Time } from "../cases/[id]/_sections/value";
import { withPageScope } from "@/lib/http/action-scope";
import { getTranslations } from "@/lib/i18n/translations";
import { getConsoleLabels, type ConsoleLabels } from "@/lib/review/labels";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

type Failure = { lastError: string | null; lastErrorKind: string | null };

/** Why it failed in the officer's words, the receiver's own text (not ours to translate) after. */
function LastError({ d, label, dash }: { d: Failure; label: ConsoleLabels; dash: string }) {
  if (!d.lastError) return <>{dash}</>;
  return (
    <>
      <span data-error-kind={d.lastErrorKind ?? ""}>
        {d.lastErrorKind ? label.deliveryError(d.lastErrorKind) : d.lastError}
      </span>
      {d.lastErrorKind ? (
        <>
          <br />
          <small className="muted" lang="en">
            <bdi>{d.lastError}</bdi>
          </small>
        </>
      ) : null}
    </>
  );
}

/** Every delivery not yet delivered: retrying ones with their last error, dead ones to replay. */
async function DeliveriesPage({ searchParams }: Props) {
  await requireStaff("admin");
  const [{ counts, pending, dead }, q, t, label] = await Promise.all([
    deliveryOverview(),
    searchParams,
    getTranslations("ConsoleAdmin"),
    getConsoleLabels(),
  ]);
  const replayed = typeof q.replayed === "string" ? Number.parseInt(q.replayed, 10) : NaN;
  return (
    <>
      <h1>{t("deliveries.title")}</h1>
      {Number.isInteger(replayed) && replayed >= 0 ? (
        <p className="notice" role="status" data-testid="outcome">
          {t("deliveries.replayed", { count: replayed })}
        </p>
      ) : q.error === "failed" ? (
        <p className="alert" role="alert" data-testid="outcome">
          {t("deliveries.failed")}
        </p>
      ) : null}
      <section className="card" aria-labelledby="counts-title">
        <h2 id="counts-title">{t("deliveries.byState")}</h2>
        <dl className="facts" data-testid="delivery-counts">
          {DELIVERY_STATES.map((state) => (
            <div key={state} style={{ display: "contents" }}>
              <dt>{t("deliveries.state", { state })}</dt>
              <dd data-state={state}>{counts[state]}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card" aria-labelledby="pending-title">
        <h2 id="pending-title">
          {t("deliveries.pendingTitle", {
            count: counts.waiting + counts.sending + counts.failing,
          })}
        </h2>
        {pending.length === 0 ? (
          <p className="muted">{t("deliveries.pendingEmpty")}</p>
        ) : (
          <table className="queue" data-testid="pending-deliveries">
            <thead>
              <tr>
                <th>{t("deliveries.destination")}</th>
                <th>{t("deliveries.event")}</th>
                <th>{t("deliveries.attempts")}</th>
                <th>{t("deliveries.lastError")}</th>
                <th>{t("deliveries.nextAttempt")}</th>
                <th>
                  <span className="visually-hidden">{t("deliveries.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pending.map((d) => (
                <tr key={d.id} data-state={d.state}>
                  <td>{label.destination(d.destination)}</td>
                  <td>{label.outboxEvent(d.eventType)}</td>
                  <td>{d.totalAttempts}</td>
                  <td>
                    <LastError d={d} label={label} dash={t("dash")} />
                  </td>
                  <td>
                    {d.state === "sending" ? (
                      <>
                        {t("deliveries.state", { state: "sending" })}
                        <br />
                      </>
                    ) : null}
                    <Time at={d.nextAttemptAt} />
                  </td>
                  <td>
                    {d.caseId ? (
                      <Link href={`/admin/cases/${d.caseId}`}>{t("deliveries.case")}</Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="dead-title">
        <h2 id="dead-title">{t("deliveries.deadTitle", { count: counts.dead })}</h2>
        {dead.length === 0 ? (
          <p className="muted">{t("deliveries.deadEmpty")}</p>
        ) : (
          <>
            <form action={replayDeadAction}>
              <button className="button" type="submit" data-testid="replay-dead">
                {t("deliveries.replayAll", { count: counts.dead })}
              </button>
            </form>
            <table className="queue" data-testid="dead-deliveries">
              <thead>
                <tr>
                  <th>{t("deliveries.destination")}</th>
                  <th>{t("deliveries.event")}</th>
                  <th>{t("deliveries.attempts")}</th>
                  <th>{t("deliveries.lastError")}</th>
                  <th>
                    <span className="visually-hidden">{t("deliveries.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {dead.map((d) => (
                  <tr key={d.id} data-state="dead">
                    <td>{label.destination(d.destination)}</td>
                    <td>{label.outboxEvent(d.eventType)}</td>
                    <td>{d.totalAttempts}</td>
                    <td>
                      <LastError d={d} label={label} dash={t("dash")} />
                    </td>
                    <td>
                      <form action={replayDeliveryAction}>
                        <input type="hidden" name="eventId" value={d.eventId} />
                        <input type="hidden" name="destination" value={d.destination} />
                        <button className="button secondary" type="submit">
                          {t("deliveries.replay")}
                        </button>
                      </form>
                      {d.caseId ? (
                        <Link href={`/admin/cases/${d.caseId}`}>{t("deliveries.case")}</Link>
                      ) : null}
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
