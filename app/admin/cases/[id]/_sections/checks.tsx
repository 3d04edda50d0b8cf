import { MRZ_FIELDS, type CheckEvidence, type MrzField } from "@/lib/checks/evidence";
import type { CaseFile, CheckLine } from "@/lib/review/case-file";
import {
  evidenceFacts,
  type EvidenceFact,
  type EvidenceNode,
  type CheckWords,
} from "@/lib/review/check-evidence";
import { getConsoleLabels, getFieldLabels, type ConsoleLabels } from "@/lib/review/labels";
import { retryChecksAction } from "../../../actions";
import { Countries, Time, Value } from "./value";
import { getCaseWords } from "./words";
import { CaseFields } from "./case-fields";

type T = Awaited<ReturnType<typeof getCaseWords>>["t"];

/**
 * Text the trader typed, or the MRZ read, set into a sentence: first-strong isolates keep an
 * Arabic or Hebrew value (or a stray control in it) from reordering the words around it.
 */
const isolated = (text: string) => `\u2068${text}\u2069`;

const SIGNALS = ["documentAuthenticity", "faceMatch", "liveness", "watchlist"] as const;

/** The vendor's verdict: its outcome, the four signals, its own labels and its report. */
function VendorVerdict({
  line,
  caseId,
  t,
  label,
}: {
  line: CheckLine;
  caseId: string;
  t: T;
  label: ConsoleLabels;
}) {
  if (!line.evidence.ok || line.evidence.check !== "vendor") return null;
  const evidence = line.evidence.evidence;
  if ("reason" in evidence)
    return (
      <span data-testid="vendor-verdict" data-reason={evidence.reason}>
        {evidence.reason === "no_verdict"
          ? t("checks.noVerdict", { vendor: evidence.vendor })
          : t("checks.verdictMissing", { vendor: evidence.vendor, reason: evidence.reason })}
      </span>
    );
  return <VendorVerdictFacts evidence={evidence} caseId={caseId} t={t} label={label} />;
}

function VendorVerdictFacts({
  evidence,
  caseId,
  t,
  label,
  report = true,
}: {
  evidence: Exclude<CheckEvidence<"vendor">, { reason: string }>;
  caseId: string;
  t: T;
  label: ConsoleLabels;
  /** The report link opens the capture in force's report: not offered for a replaced one. */
  report?: boolean;
}) {
  return (
    <div data-testid="vendor-verdict" data-vendor-outcome={evidence.outcome}>
      <p>
        {evidence.vendor}: <strong>{label.vendorOutcome(evidence.outcome)}</strong>
        {evidence.retryAllowed ? ` ${t("checks.vendorRetry")}` : ""} ·{" "}
        {t("checks.reference", { reference: evidence.reference })}
      </p>
      <dl className="facts">
        {SIGNALS.map((key) => (
          <div key={key} style={{ display: "contents" }}>
            <dt>{label.evidenceKey(key)}</dt>
            <dd data-signal={key} data-value={evidence.signals[key]}>
              {label.signal(evidence.signals[key])}
            </dd>
          </div>
        ))}
        {evidence.labels.length > 0 ? (
          <div style={{ display: "contents" }}>
            <dt>{t("checks.vendorLabels")}</dt>
            <dd>{evidence.labels.join(", ")}</dd>
          </div>
        ) : null}
      </dl>
      {report ? (
        <a
          href={`/admin/cases/${caseId}/vendor-report`}
          target="_blank"
          rel="noopener"
          data-testid="vendor-report"
        >
          {t("checks.vendorReport", { vendor: evidence.vendor })}
        </a>
      ) : null}
    </div>
  );
}

/** The zone against the typed data, field by field, with what the zone says where it differs. */
function MrzFacts({
  evidence,
  t,
  label,
}: {
  evidence: Extract<CheckEvidence<"mrz_match">, { fields: unknown }>;
  t: T;
  label: ConsoleLabels;
}) {
  const { format, confidence, fields, differences } = evidence;
  return (
    <div data-testid="mrz-evidence">
      <p className="muted">{t("checks.mrzIntro", { format, confidence })}</p>
      <dl className="facts">
        {MRZ_FIELDS.filter((f) => fields[f]).map((f: MrzField) => {
          const difference = differences.find((d) => d.field === f);
          return (
            <div
              key={f}
              style={{ display: "contents" }}
              data-mrz-field={f}
              data-agreement={fields[f]}
            >
              <dt>{label.evidenceKey(f)}</dt>
              <dd>
                {label.mrzAgreement(fields[f]!)}
                {difference
                  ? ` — ${t("checks.mrzDifference", { typed: isolated(difference.typed), read: isolated(difference.read) })}`
                  : null}
              </dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}

/** A piece of evidence as lib/review/check-evidence.ts reads it. */
function EvidenceValue({ value, label }: { value: EvidenceNode; label: ConsoleLabels }) {
  switch (value.kind) {
    case "none":
      return <span className="muted">—</span>;
    case "text":
      return <bdi>{value.text}</bdi>;
    case "word":
      return <span data-value={value.code}>{value.word}</span>;
    case "countries":
      return <Countries codes={value.codes} name={label.country} />;
    case "time":
      return <Time at={new Date(value.iso)} />;
    case "facts":
      return <EvidenceFacts facts={value.facts} label={label} />;
    case "list":
      return !value.lines &&
        value.items.every((item) => item.kind === "text" || item.kind === "word") ? (
        <>
          {value.items.map((item, i) => (
            <span key={i}>
              {i > 0 ? ", " : null}
              <EvidenceValue value={item} label={label} />
            </span>
          ))}
        </>
      ) : (
        <ul>
          {value.items.map((item, i) => (
            <li key={i}>
              <EvidenceValue value={item} label={label} />
            </li>
          ))}
        </ul>
      );
  }
}

function EvidenceFacts({ facts, label }: { facts: EvidenceFact[]; label: ConsoleLabels }) {
  return (
    <dl className="facts">
      {facts.map((fact, i) => (
        <div key={i} style={{ display: "contents" }}>
          <dt data-key={fact.key}>{fact.label}</dt>
          <dd>
            <EvidenceValue value={fact.value} label={label} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Evidence({
  line,
  caseId,
  t,
  words,
}: {
  line: CheckLine;
  caseId: string;
  t: T;
  words: CheckWords;
}) {
  if (!line.evidence.ok)
    return (
      <>
        <span className="muted">{t("checks.olderFormat")} </span>
        <EvidenceFacts facts={evidenceFacts(line.evidence.raw, words)} label={words.label} />
      </>
    );
  if (line.check === "vendor")
    return <VendorVerdict line={line} caseId={caseId} t={t} label={words.label} />;
  const read = line.evidence;
  if (read.check === "screening" && "hits" in read.evidence)
    return (
      <span>
        {read.evidence.hits.length === 0
          ? t("checks.noHits")
          : t("checks.hits", { count: read.evidence.hits.length })}{" "}
        <span className="muted">
          {t("checks.lists")} <Value value={read.evidence.lists} />
        </span>
      </span>
    );
  if (read.check === "mrz_match" && "fields" in read.evidence)
    return <MrzFacts evidence={read.evidence} t={t} label={words.label} />;
  return <EvidenceFacts facts={evidenceFacts(read.evidence, words)} label={words.label} />;
}

export async function Checks({ file }: { file: CaseFile }) {
  const { checks, checkFailure, checksClaimedUntil, kycCase, riskRun } = file;
  const [{ t }, label, fields] = await Promise.all([
    getCaseWords(),
    getConsoleLabels(),
    getFieldLabels(),
  ]);
  const missing = file.vendorVerdictMissing;
  const saidByChecks = checks?.lines.some(
    (line) =>
      line.evidence.ok &&
      line.evidence.check === "vendor" &&
      "reason" in line.evidence.evidence &&
      line.evidence.evidence.reason === missing?.reason,
  );
  return (
    <section className="card" data-testid="checks" aria-labelledby="checks-title">
      <h2 id="checks-title">{t("checks.title")}</h2>
      {missing && !saidByChecks ? (
        <p className="alert" data-testid="vendor-verdict-missing" data-reason={missing.reason}>
          {t("checks.verdictMissing", missing)}
        </p>
      ) : null}
      {file.vendorVerdictAfterChecks ? (
        <div
          className="alert"
          data-testid={
            file.vendorVerdictRestored
              ? "vendor-verdict-of-approval"
              : "vendor-verdict-after-checks"
          }
        >
          <p>
            {t(
              file.vendorVerdictRestored ? "checks.verdictOfApproval" : "checks.verdictAfterChecks",
              {
                vendor: file.vendorVerdictAfterChecks.vendor,
              },
            )}
          </p>
          <VendorVerdictFacts
            evidence={file.vendorVerdictAfterChecks}
            caseId={kycCase.id}
            t={t}
            label={label}
          />
        </div>
      ) : null}
      {checks && file.declinedRound ? (
        <p
          className="muted"
          data-testid="checks-declined-round"
          data-round={file.declinedRound.round}
          data-approved-round={file.declinedRound.approvedRound}
        >
          {t("checks.declinedRound", file.declinedRound)}
        </p>
      ) : null}
      {checks ? (
        <>
          <p className="muted">
            {t.rich("checks.run", {
              round: String(checks.run.round ?? "—"),
              level: label.risk(checks.run.level),
              score: checks.run.score,
              route: label.route(checks.run.route),
              time: () => <Time at={checks.run.createdAt} />,
            })}
          </p>
          {riskRun ? (
            <p className="muted" data-testid="checks-risk-run" data-run={riskRun.run.id}>
              {t.rich("checks.riskRun", {
                round: String(riskRun.run.round ?? "—"),
                level: label.risk(riskRun.run.level),
                score: riskRun.run.score,
                time: () => <Time at={riskRun.run.createdAt} />,
              })}
            </p>
          ) : null}
          {checks.autoApprovalRefused ? (
            <p
              className="muted"
              data-testid="auto-approval-refused"
              data-reason={checks.autoApprovalRefused}
            >
              {t("checks.autoApprovalRefused", { reason: checks.autoApprovalRefused })}
            </p>
          ) : null}
          <table className="queue">
            <tbody>
              {checks.lines.map((r) => (
                <tr key={r.id} data-check={r.check} data-outcome={r.outcome}>
                  <td>{label.check(r.check)}</td>
                  <td>
                    <strong>{label.outcome(r.outcome)}</strong> ·{" "}
                    {t("checks.points", { points: r.riskPoints })}
                  </td>
                  <td>
                    <Evidence line={r} caseId={kycCase.id} t={t} words={{ label, fields }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : checkFailure ? (
        <div className="alert" data-testid="checks-failed">
          <p>
            {t.rich("checks.failed", {
              attempts: checkFailure.attempts,
              error: checkFailure.lastError,
              time: () => <Time at={checkFailure.failedAt} />,
            })}
          </p>
          <p>
            {t.rich("checks.nextTry", { time: () => <Time at={checkFailure.nextAttemptAt} /> })}
          </p>
        </div>
      ) : kycCase.round > 0 && file.controls.retryChecks ? (
        <p className="muted" data-testid="checks-running">
          {t("checks.running")}
        </p>
      ) : (
        <p className="muted">{t("checks.notRun")}</p>
      )}
      {!checks && checksClaimedUntil ? (
        <p className="muted" data-testid="checks-claimed-until">
          {t.rich("checks.runningUntil", {
            time: () => <Time at={checksClaimedUntil} />,
          })}
        </p>
      ) : null}
      {file.controls.retryChecks && kycCase.round > 0 ? (
        <form action={retryChecksAction}>
          <CaseFields file={file} />
          <button className="button secondary" type="submit" data-testid="retry-checks">
            {t("checks.retry")}
          </button>
        </form>
      ) : null}
      {file.replacedCaptures.length > 0 ? (
        <details data-testid="vendor-history">
          <summary>{t("checks.vendorHistory", { count: file.replacedCaptures.length })}</summary>
          {file.replacedCaptures.map((c, i) => (
            <div key={i} data-testid="replaced-capture" data-round={c.round}>
              <p className="muted">
                {t.rich("checks.vendorHistoryEntry", {
                  vendor: c.vendor,
                  round: c.round,
                  verdict: c.verdict ? "yes" : "no",
                  time: () => <Time at={c.replacedAt} />,
                })}
              </p>
              {c.verdict ? (
                <VendorVerdictFacts
                  evidence={c.verdict}
                  caseId={kycCase.id}
                  t={t}
                  label={label}
                  report={false}
                />
              ) : null}
            </div>
          ))}
        </details>
      ) : null}
    </section>
  );
}
