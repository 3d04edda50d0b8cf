import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { listCaseEvents } from "@/lib/db/queries/cases";
import { listCurrentDocuments } from "@/lib/db/queries/documents";
import {
  getCaseById,
  listCaseDecisions,
  listRoundApprovals,
  listTraderCases,
} from "@/lib/db/queries/review";
import { getTraderById } from "@/lib/db/queries/traders";
import { STEPS } from "@/lib/kyc/levels";
import { loadCaseProgress } from "@/lib/kyc/submission";
import { REJECT_REASONS } from "@/lib/review/reasons";
import { auditCaseView } from "@/lib/review/decisions";
import { requireStaff } from "@/lib/staff/console";
import { getLatestCheckRun } from "@/lib/db/queries/checks";
import { listDeliveryLogForCase } from "@/lib/db/queries/outbox";
import { listActiveStaff } from "@/lib/db/queries/staff";
import {
  approveAction,
  assignAction,
  claimAction,
  rejectAction,
  replayEventAction,
  requestAction,
  screeningHitAction,
} from "../../actions";

type ScreeningHit = {
  entry: { id: string | number; source: string };
  matchedName: string;
  score: number;
  level: string;
  explanation: unknown;
};

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const OUTCOMES: Record<string, string> = {
  claimed: "You claimed this case.",
  approved: "Approved.",
  awaiting_co_sign: "Your approval is signed. A second approver must co-sign.",
  rejected_retry: "Rejected; the trader may fix the named items and send again.",
  rejected_final: "Rejected; the case is closed.",
  action_requested: "The trader was asked for more information.",
  assigned: "Assignment changed.",
  hit_false_positive: "Recorded: false positive.",
  hit_confirmed: "Recorded: confirmed match. Reject the case with reason sanctions_match.",
};

function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === "")
    return <span className="muted">—</span>;
  if (Array.isArray(value))
    return (
      <>
        {value.map((v, i) =>
          typeof v === "object" ? (
            <pre key={i}>{JSON.stringify(v)}</pre>
          ) : (
            <span key={i}>{String(v)} </span>
          ),
        )}
      </>
    );
  if (typeof value === "object") return <pre>{JSON.stringify(value, null, 1)}</pre>;
  return <>{String(value)}</>;
}

/** One case with its evidence and the decisions a reviewer can take. Every view is audited. */
export default async function CasePage({ params, searchParams }: Props) {
  const staff = await requireStaff("reviewer");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const kycCase = await getCaseById(id);
  if (!kycCase) notFound();
  const [trader, progress, events, documents, decisions, approvals, history, q] = await Promise.all(
    [
      getTraderById(kycCase.traderId),
      loadCaseProgress(kycCase),
      listCaseEvents(kycCase.id),
      listCurrentDocuments(kycCase.id),
      listCaseDecisions(kycCase.id),
      listRoundApprovals(kycCase.id),
      listTraderCases(kycCase.traderId),
      searchParams,
    ],
  );
  await auditCaseView(staff, kycCase.id, "case_page");
  const checks = await getLatestCheckRun(kycCase.id);
  const team = staff.role === "reviewer" ? [] : await listActiveStaff();
  const deliveryLog = await listDeliveryLogForCase(kycCase.id);
  const judged = new Map(
    decisions
      .filter((d) => d.decision.startsWith("screening_"))
      .map((d) => [String((d.data as { entryId?: string }).entryId), d.decision]),
  );
  const outcome = typeof q.outcome === "string" ? q.outcome : undefined;
  const reviewable = ["submitted", "resubmitted", "in_review"].includes(kycCase.status);
  const signedByOther = approvals.some((a) => a.staffId !== staff.id);
  const signedByMe = approvals.some((a) => a.staffId === staff.id);

  return (
    <>
      <p>
        <Link href="/admin">← Queue</Link>
      </p>
      <h1 data-testid="case-title">
        {trader?.email ?? "Trader"} · {kycCase.level}
      </h1>
      {outcome ? (
        <p
          className={outcome.startsWith("error:") ? "alert" : "notice"}
          role="status"
          data-testid="outcome"
        >
          {outcome.startsWith("error:")
            ? outcome.slice(6)
            : outcome.startsWith("replayed:")
              ? `${outcome.slice(9)} deliveries scheduled again.`
              : (OUTCOMES[outcome] ?? outcome)}
        </p>
      ) : null}
      <section className="card">
        <dl className="facts">
          <dt>Status</dt>
          <dd data-testid="case-status">{kycCase.status}</dd>
          <dt>Risk</dt>
          <dd data-testid="case-risk">
            {kycCase.riskLevel ?? "not assessed"}
            {kycCase.fourEyesRequired ? " · four eyes required" : ""}
          </dd>
          <dt>cTrader user</dt>
          <dd>
            {trader?.ctraderUserId} · login {trader?.tradingLogin ?? "—"}
          </dd>
          <dt>Assigned</dt>
          <dd>
            {kycCase.assignedTo
              ? kycCase.assignedTo === staff.id
                ? "you"
                : kycCase.assignedTo
              : "nobody"}
          </dd>
        </dl>
        {team.length > 0 ? (
          <form action={assignAction} className="filters">
            <input type="hidden" name="caseId" value={kycCase.id} />
            <label>
              Assign to{" "}
              <select
                name="assignee"
                defaultValue={kycCase.assignedTo ?? ""}
                data-testid="assignee"
              >
                <option value="">Nobody</option>
                {team.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.displayName} ({m.role})
                  </option>
                ))}
              </select>
            </label>
            <button className="button secondary" type="submit">
              Assign
            </button>
          </form>
        ) : null}
        <p>
          <a href={`/admin/cases/${kycCase.id}/export`} data-testid="export">
            Evidence export (JSON)
          </a>
        </p>
      </section>

      {reviewable ? (
        <section className="card" data-testid="decisions">
          <h2>Decide</h2>
          {!kycCase.assignedTo ? (
            <form action={claimAction}>
              <input type="hidden" name="caseId" value={kycCase.id} />
              <button className="button secondary" type="submit" data-testid="claim">
                Claim
              </button>
            </form>
          ) : null}
          <form action={approveAction}>
            <input type="hidden" name="caseId" value={kycCase.id} />
            {kycCase.fourEyesRequired ? (
              <p className="muted">
                Four eyes:{" "}
                {approvals.length === 0
                  ? "no signature yet"
                  : signedByMe
                    ? "you signed; waiting for a second approver"
                    : "signed by another reviewer; an approver may co-sign"}
                .
              </p>
            ) : null}
            <button
              className="button"
              type="submit"
              data-testid="approve"
              disabled={signedByMe && !signedByOther}
            >
              {signedByOther ? "Co-sign approval" : "Approve"}
            </button>
          </form>
          <form action={rejectAction} className="stack">
            <input type="hidden" name="caseId" value={kycCase.id} />
            <label htmlFor="reasonCode">Reject with reason</label>
            <select id="reasonCode" name="reasonCode" required data-testid="reject-reason">
              {REJECT_REASONS.map((r) => (
                <option key={r.code} value={r.code}>
                  {r.code} ({r.kind}) — {r.internal}
                </option>
              ))}
            </select>
            <label htmlFor="rejectNote">Internal note (never shown to the trader)</label>
            <textarea id="rejectNote" name="internalNote" rows={2} maxLength={2000} />
            <button className="button secondary" type="submit" data-testid="reject">
              Reject
            </button>
          </form>
          <form action={requestAction} className="stack">
            <input type="hidden" name="caseId" value={kycCase.id} />
            <fieldset>
              <legend>Ask the trader to redo</legend>
              {progress.requirements.steps.map((s) => (
                <label className="choice" key={s.step}>
                  <input type="checkbox" name="items" value={`step:${s.step}`} /> {s.step}
                </label>
              ))}
              {(["identity", "address", "additional"] as const).map((d) => (
                <label className="choice" key={d}>
                  <input type="checkbox" name="items" value={`document:${d}`} /> document: {d}
                </label>
              ))}
            </fieldset>
            <label htmlFor="message">Message for the trader</label>
            <textarea id="message" name="message" rows={2} maxLength={2000} required />
            <button className="button secondary" type="submit" data-testid="request">
              Request more information
            </button>
          </form>
        </section>
      ) : null}

      <section className="card" data-testid="checks">
        <h2>Automated checks</h2>
        {checks ? (
          <>
            <p className="muted">
              Run {checks.run.createdAt.toISOString()} · risk {kycCase.riskLevel ?? "—"}
            </p>
            <table className="queue">
              <tbody>
                {checks.results.map((r) => {
                  const hits =
                    r.check === "screening"
                      ? ((r.evidence as { hits?: ScreeningHit[] }).hits ?? [])
                      : [];
                  return (
                    <tr key={r.id} data-check={r.check} data-outcome={r.outcome}>
                      <td>{r.check}</td>
                      <td>
                        <strong>{r.outcome}</strong> · {r.riskPoints} pts
                      </td>
                      <td>
                        {hits.length > 0 ? (
                          <ul className="hits">
                            {hits.map((h) => (
                              <li key={h.entry.id} data-entry={h.entry.id}>
                                <strong>{h.matchedName}</strong> ({h.entry.source} #{h.entry.id}) ·
                                score {h.score.toFixed(2)} · {h.level}
                                <Value value={h.explanation} />
                                {judged.get(String(h.entry.id)) ? (
                                  <em>{judged.get(String(h.entry.id))}</em>
                                ) : (
                                  <form action={screeningHitAction} className="actions">
                                    <input type="hidden" name="caseId" value={kycCase.id} />
                                    <input
                                      type="hidden"
                                      name="entryId"
                                      value={String(h.entry.id)}
                                    />
                                    <button
                                      className="button secondary"
                                      name="verdict"
                                      value="false_positive"
                                    >
                                      False positive
                                    </button>
                                    <button
                                      className="button secondary"
                                      name="verdict"
                                      value="confirmed"
                                    >
                                      Confirm match
                                    </button>
                                  </form>
                                )}
                              </li>
                            ))}
                          </ul>
                        ) : (
                          <Value value={r.evidence} />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        ) : (
          <p className="muted">Not run yet.</p>
        )}
      </section>

      <section className="card" data-testid="trader-data">
        <h2>Trader data</h2>
        {STEPS.filter((s) => progress.drafts[s]).map((step) => {
          const draft = progress.drafts[step]!;
          const data = (draft.data ?? draft.values) as Record<string, unknown>;
          return (
            <details key={step} open>
              <summary>
                {step} {draft.completed ? "" : "(incomplete)"}
              </summary>
              <dl className="facts">
                {Object.entries(data).map(([k, v]) => (
                  <div key={k} style={{ display: "contents" }}>
                    <dt>{k}</dt>
                    <dd>
                      <Value value={v} />
                    </dd>
                  </div>
                ))}
              </dl>
            </details>
          );
        })}
      </section>

      <section className="card" data-testid="documents">
        <h2>Documents</h2>
        <ul className="steps">
          {documents
            .filter((d) => d.status !== "pending")
            .map((d) => (
              <li key={d.id} data-document={d.documentType} data-side={d.side}>
                <span>
                  {d.documentType} · {d.side} · {d.status} · {d.contentType} · {d.sizeBytes} bytes
                  <br />
                  <span className="muted">
                    sha256 {d.sha256?.slice(0, 16)}… · quality <Value value={d.quality} />
                  </span>
                </span>
                <a href={`/admin/documents/${d.id}`} target="_blank" rel="noreferrer">
                  {d.contentType?.startsWith("image/") ? (
                    // Through a 60-second presigned URL; each load is an audited view. Full size
                    // (to zoom) opens in a new tab.
                    // eslint-disable-next-line @next/next/no-img-element
                    <img
                      className="doc-thumb"
                      src={`/admin/documents/${d.id}`}
                      alt={`${d.documentType} ${d.side}`}
                      loading="lazy"
                    />
                  ) : null}
                  <span>Open full size (link valid 60 s)</span>
                </a>
              </li>
            ))}
        </ul>
      </section>

      <section className="card">
        <h2>Timeline</h2>
        <ol className="steps" data-testid="admin-timeline">
          {events.map((e) => (
            <li key={e.id}>
              <span>
                {e.event}: {e.fromStatus} → {e.toStatus} by {e.actorType} {e.actorId.slice(0, 8)}
                {e.messageForTrader ? ` — “${e.messageForTrader}”` : ""}
              </span>
              <span className="muted">{e.occurredAt.toISOString()}</span>
            </li>
          ))}
        </ol>
        <h3>Decisions</h3>
        <ul>
          {decisions.map((d) => (
            <li key={d.id}>
              {d.decision} by {d.staffId.slice(0, 8)} {d.reasonCode ? `(${d.reasonCode})` : ""}{" "}
              {d.internalNote ? `— note: ${d.internalNote}` : ""}
            </li>
          ))}
        </ul>
      </section>

      <section className="card" data-testid="delivery-log">
        <h2>Status delivery</h2>
        {deliveryLog.length === 0 ? <p className="muted">No events yet.</p> : null}
        <table className="queue">
          <tbody>
            {deliveryLog.map((d) => (
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
                      {a.httpStatus ? ` ${a.httpStatus}` : ""}{" "}
                    </span>
                  ))}
                </td>
                <td>
                  {staff.role === "admin" && d.status !== "pending" ? (
                    <form action={replayEventAction}>
                      <input type="hidden" name="caseId" value={kycCase.id} />
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

      <section className="card">
        <h2>Previous cases</h2>
        <ul>
          {history
            .filter((c) => c.id !== kycCase.id)
            .map((c) => (
              <li key={c.id}>
                <Link href={`/admin/cases/${c.id}`}>
                  {c.level} · {c.status} · opened {c.openedAt.toISOString().slice(0, 10)}
                </Link>
              </li>
            ))}
        </ul>
      </section>
    </>
  );
}
