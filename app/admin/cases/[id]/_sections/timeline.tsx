import type { CaseFile } from "@/lib/review/case-file";
import { Time } from "./value";

export function Timeline({ file }: { file: CaseFile }) {
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="steps" data-testid="admin-timeline">
        {file.events.map((e) => (
          <li key={e.id} data-event={e.event}>
            <span>
              {e.event}: {e.fromStatus} → {e.toStatus} by{" "}
              {e.actorType === "staff"
                ? file.nameOf(e.actorId)
                : e.actorType === "trader"
                  ? "the trader"
                  : `${e.actorType} (${e.actorId})`}
              {e.messageForTrader ? ` — “${e.messageForTrader}”` : ""}
            </span>
            <span className="muted">
              <Time at={e.occurredAt} />
            </span>
          </li>
        ))}
      </ol>
      <h3>Decisions</h3>
      <ul data-testid="decision-log">
        {file.decisions.map((d) => (
          <li key={d.id}>
            {d.decision} by {file.nameOf(d.staffId)} {d.reasonCode ? `(${d.reasonCode})` : ""}{" "}
            {d.internalNote ? `— note: ${d.internalNote}` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
