import type { CaseFile } from "@/lib/review/case-file";
import { getConsoleLabels } from "@/lib/review/labels";
import { Time } from "./value";
import { getCaseWords } from "./words";

export async function Timeline({ file }: { file: CaseFile }) {
  const [{ t }, label] = await Promise.all([getCaseWords(), getConsoleLabels()]);
  const staffName = (id: string) => file.nameOf(id) ?? t("formerStaff");
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t("timeline.title")}</h2>
      <ol className="steps" data-testid="admin-timeline">
        {file.events.map((e) => (
          <li key={e.id} data-event={e.event}>
            <span>
              {t("timeline.event", {
                event: label.event(e.event),
                from: label.status(e.fromStatus),
                to: label.status(e.toStatus),
                actor:
                  e.actorType === "staff"
                    ? staffName(e.actorId)
                    : e.actorType === "trader"
                      ? t("timeline.theTrader")
                      : t("timeline.system", { id: e.actorId }),
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
          <li key={d.id} data-decision={d.decision} data-reason={d.reasonCode ?? undefined}>
            {t("timeline.decision", {
              decision: label.decision(d.decision),
              name: staffName(d.staffId),
            })}{" "}
            {d.reasonCode ? `(${label.reason(d.reasonCode)})` : ""}{" "}
            {d.internalNote ? t("timeline.note", { note: d.internalNote }) : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
