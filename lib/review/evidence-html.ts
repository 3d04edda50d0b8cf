/**
 * The evidence export as a printable page: the same document as the JSON (caseEvidenceSchema),
 * laid out for a supervisor to read or print to PDF. Every value is escaped; the page has no
 * script and loads nothing.
 */
import type { CaseEvidence } from "./evidence";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
export const escapeHtml = (value: unknown): string =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const text = (value: unknown): string =>
  value === null || value === undefined || value === ""
    ? "—"
    : typeof value === "object"
      ? `<pre>${escapeHtml(JSON.stringify(value, null, 1))}</pre>`
      : escapeHtml(value);

const table = (head: string[], rows: unknown[][]): string =>
  rows.length === 0
    ? "<p>None.</p>"
    : `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c) => `<td>${text(c)}</td>`).join("")}</tr>`)
        .join("")}</tbody></table>`;

const person = (p: { id: string; name: string | null; role: string | null }) =>
  `${p.name ?? p.id}${p.role ? ` (${p.role})` : ""}`;

export function renderEvidenceHtml(e: CaseEvidence): string {
  const sections = [
    `<h1>Case evidence · ${escapeHtml(e.case.id)}</h1>
     <p>Exported ${escapeHtml(e.exportedAt)} by ${escapeHtml(person(e.exportedBy))} · format ${escapeHtml(e.format)}</p>`,
    `<h2>Case</h2>${table(
      ["Level", "Status", "Trigger", "Rounds", "Risk", "Four eyes", "Opened", "Closed"],
      [
        [
          e.case.level,
          e.case.status,
          e.case.trigger,
          e.case.round,
          e.case.riskLevel,
          e.case.fourEyesRequired ? "yes" : "no",
          e.case.openedAt,
          e.case.closedAt,
        ],
      ],
    )}`,
    `<h2>Trader</h2>${table(
      ["Id", "cTrader user", "Trading login", "Email"],
      [[e.trader.id, e.trader.ctraderUserId, e.trader.tradingLogin, e.trader.email]],
    )}`,
    `<h2>Answers per submission round</h2>${
      e.rounds.length === 0
        ? "<p>None.</p>"
        : e.rounds
            .map(
              (r) =>
                `<h3>Round ${r.round} (${escapeHtml(r.event)}, ${escapeHtml(r.submittedAt)})</h3>${table(
                  ["Step", "Checked data"],
                  Object.entries(r.answers).map(([step, a]) => [step, a.data ?? a.values]),
                )}<p>Documents: ${escapeHtml(r.documentIds.join(", ") || "—")}</p>`,
            )
            .join("")
    }`,
    `<h2>Automated checks</h2>${e.checkRuns
      .map(
        (run) =>
          `<h3>${escapeHtml(run.reason)} run ${escapeHtml(run.id)} · round ${text(run.round)} · ${escapeHtml(run.at)} · risk ${escapeHtml(run.riskLevel)} (${run.score}) · ${escapeHtml(run.route)}</h3>${table(
            ["Check", "Outcome", "Points", "Evidence"],
            run.results.map((r) => [r.check, r.outcome, r.riskPoints, r.evidence]),
          )}`,
      )
      .join("")}`,
    `<h2>Screening hits and verdicts</h2>${table(
      ["Listed name", "List · entry", "Score", "Level", "State", "Verdicts"],
      e.screeningHits.map((h) => [
        h.listedName,
        `${h.source} · ${h.entryId}`,
        h.score,
        h.level,
        h.state,
        h.judgments
          .map(
            (j) => `${j.verdict} by ${person(j.by)} at ${j.at}${j.reason ? `: ${j.reason}` : ""}`,
          )
          .join("\n") || null,
      ]),
    )}`,
    `<h2>Decisions</h2>${table(
      ["When", "Decision", "By", "Reason", "Message for the trader", "Internal note"],
      e.decisions.map((d) => [
        d.at,
        d.decision,
        person(d.by),
        d.reasonCode,
        d.messageForTrader,
        d.internalNote,
      ]),
    )}${
      e.approval
        ? `<p>Approved ${escapeHtml(e.approval.at)}, signed by ${escapeHtml(e.approval.signers.map(person).join(" and "))}.</p>`
        : ""
    }`,
    `<h2>Documents</h2>${table(
      ["Type", "Side", "Status", "Type", "Bytes", "SHA-256", "Confirmed", "Replaced"],
      e.documents.map((d) => [
        d.documentType,
        d.side,
        d.status,
        d.contentType,
        d.sizeBytes,
        d.sha256,
        d.confirmedAt,
        d.replacedAt,
      ]),
    )}`,
    `<h2>Timeline</h2>${table(
      ["When", "Event", "From → to", "By", "Message"],
      e.timeline.map((t) => [
        t.at,
        t.event,
        `${t.from} → ${t.to}`,
        `${t.actorType} ${t.actorId}`,
        t.messageForTrader,
      ]),
    )}`,
    `<h2>What the broker's systems were told</h2>${table(
      ["When", "Event", "Deliveries"],
      e.notifications.map((n) => [
        n.at,
        n.type,
        n.deliveries.map((d) => `${d.destination}: ${d.status} (${d.attempts})`).join("\n") || null,
      ]),
    )}`,
    `<h2>Audit trail</h2><p>Chain head at export: ${
      e.audit.chainHead ? `#${e.audit.chainHead.seq} ${escapeHtml(e.audit.chainHead.hash)}` : "none"
    }</p>${table(
      ["#", "When", "Actor", "Action", "Data", "Hash"],
      e.audit.rows.map((a) => [
        a.seq,
        a.at,
        `${a.actorType} ${a.actorId}`,
        a.action,
        a.data,
        a.hash,
      ]),
    )}`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Case evidence ${escapeHtml(e.case.id)}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:2rem;color:#111}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#eee}pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:11px}
h2{margin-top:1.5rem;border-bottom:2px solid #333}
@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}
</style></head><body data-testid="evidence">${sections.join("\n")}</body></html>`;
}
