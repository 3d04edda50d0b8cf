import type { CaseFile } from "@/lib/review/case-file";
import { Time } from "./value";
import { getCaseWords } from "./words";

export async function Timeline({ file }: { file: CaseFile }) {
  const { t } = await getCaseWords();
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t("timeline.title")}</h2>
      <ol className="steps" data-testid="admin-timeline">
        {file.events.map((e) => (
          <li key={e.id} data-event={e.event}>
            <span>
              {t("timeline.event", {
                event: e.event,
                from: e.fromStatus ?? "",
                to: e.toStatus,
                actor:
                  e.actorType === "staff"
                    ? file.nameOf(e.actorId)
                    : e.actorType === "trader"
                      ? t("timeline.theTrader")
                      : `${e.actorType} (${e.actorId})`,
              })}
              {e.messageForTrader ? ` — “${e.messageForTrader}”` : ""}
            </span>
            <span className="muted">
              <Time at={e.occurredAt} />
            </span>
          </li>
        ))}
      </ol>
      <h3>{t("timeline.decisions")}</h3>
      <ul data-testid="decision-log">
        {file.decisions.map((d) => (
          <li key={d.id}>
            {t("timeline.decision", { decision: d.decision, name: file.nameOf(d.staffId) })}{" "}
            {d.reasonCode ? `(${d.reasonCode})` : ""}{" "}
            {d.internalNote ? t("timeline.note", { note: d.internalNote }) : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
