import {
  MRZ_FIELDS,
  mrzEvidenceSchema,
  type CheckEvidence,
  type MrzField,
} from "@/lib/checks/evidence";
import type { CaseFile, CheckLine } from "@/lib/review/case-file";
import { retryChecksAction } from "../../../actions";
import { Time, Value } from "./value";

const SIGNAL_NAMES = {
  documentAuthenticity: "Document authenticity",
  faceMatch: "Face match",
  liveness: "Liveness",
  watchlist: "Watchlist",
} as const;

/** The vendor's verdict: its outcome, the four signals, its own labels and its report. */
function VendorVerdict({ line, caseId }: { line: CheckLine; caseId: string }) {
  if (!line.evidence.ok || line.evidence.check !== "vendor") return null;
  const evidence = line.evidence.evidence as CheckEvidence<"vendor">;
  if ("reason" in evidence)
    return <span data-testid="vendor-verdict">No verdict from {evidence.vendor} yet.</span>;
  return (
    <div data-testid="vendor-verdict" data-vendor-outcome={evidence.outcome}>
      <p>
        {evidence.vendor}: <strong>{evidence.outcome}</strong>
        {evidence.retryAllowed ? " (the vendor allows a retry)" : ""} · reference{" "}
        {evidence.reference}
      </p>
      <dl className="facts">
        {Object.entries(SIGNAL_NAMES).map(([key, label]) => (
          <div key={key} style={{ display: "contents" }}>
            <dt>{label}</dt>
            <dd data-signal={key}>{evidence.signals[key as keyof typeof SIGNAL_NAMES]}</dd>
          </div>
        ))}
        {evidence.labels.length > 0 ? (
          <div style={{ display: "contents" }}>
            <dt>Vendor labels</dt>
            <dd>{evidence.labels.join(", ")}</dd>
          </div>
        ) : null}
      </dl>
      <a
        href={`/admin/cases/${caseId}/vendor-report`}
        target="_blank"
        rel="noopener"
        data-testid="vendor-report"
      >
        Open {evidence.vendor}’s report
      </a>
    </div>
  );
}

const MRZ_FIELD_NAMES: Record<MrzField, string> = {
  surnames: "Surnames",
  givenNames: "Given names",
  dateOfBirth: "Date of birth",
  documentNumber: "Document number",
  expiryDate: "Expiry date",
  nationality: "Nationality",
  issuingCountry: "Issuing country",
};
const MRZ_AGREEMENT = {
  agree: "agrees",
  near: "one character apart (OCR or a typo: compare with the photo)",
  differ: "differs",
  not_typed: "not typed",
} as const;

/** The zone against the typed data, field by field, with what the zone says where it differs. */
function MrzFacts({ evidence }: { evidence: Record<string, unknown> }) {
  const parsed = mrzEvidenceSchema.safeParse(evidence);
  if (!parsed.success || !("fields" in parsed.data)) return <Value value={evidence} />;
  const { format, confidence, fields, differences } = parsed.data;
  return (
    <div data-testid="mrz-evidence">
      <p className="muted">
        Machine-readable zone ({format}), OCR confidence {confidence}/100, check digits valid.
      </p>
      <dl className="facts">
        {MRZ_FIELDS.filter((f) => fields[f]).map((f) => {
          const difference = differences.find((d) => d.field === f);
          return (
            <div
              key={f}
              style={{ display: "contents" }}
              data-mrz-field={f}
              data-agreement={fields[f]}
            >
              <dt>{MRZ_FIELD_NAMES[f]}</dt>
              <dd>
                {MRZ_AGREEMENT[fields[f]!]}
                {difference ? ` — typed “${difference.typed}”, zone “${difference.read}”` : null}
              </dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}

function Evidence({ line, caseId }: { line: CheckLine; caseId: string }) {
  if (!line.evidence.ok)
    return (
      <>
        <span className="muted">Evidence in an older format: </span>
        <Value value={line.evidence.raw} />
      </>
    );
  if (line.check === "vendor") return <VendorVerdict line={line} caseId={caseId} />;
  const evidence = line.evidence.evidence as Record<string, unknown>;
  if (line.check === "screening" && Array.isArray(evidence.hits))
    return (
      <span>
        {evidence.hits.length === 0
          ? "No hit on the lists."
          : `${evidence.hits.length} hit(s): see Screening hits.`}{" "}
        <span className="muted">
          Lists: <Value value={evidence.lists} />
        </span>
      </span>
    );
  if (line.check === "mrz_match" && "fields" in evidence) return <MrzFacts evidence={evidence} />;
  return (
    <dl className="facts">
      {Object.entries(evidence).map(([k, v]) => (
        <div key={k} style={{ display: "contents" }}>
          <dt>{k}</dt>
          <dd>
            <Value value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function Checks({ file }: { file: CaseFile }) {
  const { checks, checkFailure, kycCase } = file;
  return (
    <section className="card" data-testid="checks" aria-labelledby="checks-title">
      <h2 id="checks-title">Automated checks</h2>
      {checks ? (
        <>
          <p className="muted">
            Round {checks.run.round} · run <Time at={checks.run.createdAt} /> · risk{" "}
            {checks.run.level} ({checks.run.score} points) · route {checks.run.route}
          </p>
          <table className="queue">
            <tbody>
              {checks.lines.map((r) => (
                <tr key={r.id} data-check={r.check} data-outcome={r.outcome}>
                  <td>{r.check}</td>
                  <td>
                    <strong>{r.outcome}</strong> · {r.riskPoints} pts
                  </td>
                  <td>
                    <Evidence line={r} caseId={kycCase.id} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : checkFailure ? (
        <div className="alert" data-testid="checks-failed">
          <p>
            The automated checks of this submission failed ({checkFailure.attempts}{" "}
            {checkFailure.attempts === 1 ? "attempt" : "attempts"}, last{" "}
            <Time at={checkFailure.failedAt} />
            ): {checkFailure.lastError}
          </p>
          <p>
            Next automatic try: <Time at={checkFailure.nextAttemptAt} />.
          </p>
        </div>
      ) : kycCase.round > 0 && file.controls.retryChecks ? (
        <p className="muted" data-testid="checks-running">
          The checks of this submission are running.
        </p>
      ) : (
        <p className="muted">Not run yet: the case has not been submitted.</p>
      )}
      {file.controls.retryChecks && kycCase.round > 0 ? (
        <form action={retryChecksAction}>
          <input type="hidden" name="caseId" value={kycCase.id} />
          <button className="button secondary" type="submit" data-testid="retry-checks">
            Run the checks now
          </button>
        </form>
      ) : null}
    </section>
  );
}
