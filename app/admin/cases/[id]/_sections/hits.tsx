import type { CaseFile } from "@/lib/review/case-file";
import type { ReviewedHit } from "@/lib/review/screening-hits";
import { screeningHitAction } from "../../../actions";
import { Time } from "./value";
import { getCaseWords } from "./words";

const DOB: Record<string, string> = {
  exact: "the same date of birth",
  year: "the same year of birth",
  partial: "the same year, another month or day",
  near: "a year of birth one year apart",
  conflict: "a different date of birth",
  unknown: "no date of birth to compare",
};
const NATIONALITY: Record<string, string> = {
  agree: "a nationality in common",
  conflict: "no nationality in common",
  unknown: "no nationality to compare",
};
const STATE: Record<ReviewedHit["state"], string> = {
  open: "not judged",
  awaiting_second: "false positive proposed; a second person must confirm",
  cleared: "cleared as a false positive",
  confirmed: "confirmed match",
};

/** Why the matcher flagged the trader, in words a compliance officer can check. */
function Explanation({ hit }: { hit: ReviewedHit }) {
  const e = hit.explanation;
  return (
    <ul className="muted" data-testid="hit-explanation">
      <li>
        Matched {e.matchedAlias ? "the alias" : "the listed name"} “{e.matchedName}” (name score{" "}
        {e.nameScore.toFixed(2)}).
      </li>
      <li>
        Words that matched:{" "}
        {e.pairs.length === 0
          ? "none"
          : e.pairs.map((p) => `“${p.query}” ↔ “${p.listed}” (${p.score.toFixed(2)})`).join(", ")}
        .
      </li>
      {e.unmatchedQuery.length > 0 || e.unmatchedListed.length > 0 ? (
        <li>
          Not matched: trader {e.unmatchedQuery.length ? `“${e.unmatchedQuery.join(" ")}”` : "—"};
          listed {e.unmatchedListed.length ? `“${e.unmatchedListed.join(" ")}”` : "—"}.
        </li>
      ) : null}
      <li>
        Date of birth: {DOB[e.dateOfBirth.result] ?? e.dateOfBirth.result}
        {e.dateOfBirth.listed.length ? ` (listed: ${e.dateOfBirth.listed.join(", ")})` : ""}.
      </li>
      <li>
        Nationality: {NATIONALITY[e.nationality.result] ?? e.nationality.result}
        {e.nationality.listed.length ? ` (listed: ${e.nationality.listed.join(", ")})` : ""}.
      </li>
    </ul>
  );
}

export async function Hits({ file }: { file: CaseFile }) {
  if (file.hits.length === 0) return null;
  const { why } = await getCaseWords();
  return (
    <section className="card" data-testid="screening-hits" aria-labelledby="hits-title">
      <h2 id="hits-title">Screening hits</h2>
      <p className="muted">
        A likely hit blocks approval until two people (the second an approver) clear it as a false
        positive, each with a reason. A confirmed match can never be approved.
      </p>
      <ul className="hits">
        {file.hits.map((h) => {
          const field = `reason-${h.key.replace(/[^A-Za-z0-9_-]/g, "_")}`;
          const { falsePositive, confirm } = h.controls;
          return (
            <li
              key={h.key}
              data-hit={h.key}
              data-level={h.level}
              data-state={h.state}
              data-testid="hit"
            >
              <p>
                <strong data-testid="hit-name">{h.listedName}</strong> · {h.source} entry{" "}
                <span data-testid="hit-entry">{h.entryId}</span> · score {h.score.toFixed(2)} ·{" "}
                <span className="tag">{h.level}</span> · {h.type}
                {h.programs.length ? ` · ${h.programs.join(", ")}` : ""}
                {h.origin === "rescreen" ? " · found by re-screening" : ""}
              </p>
              <Explanation hit={h} />
              <p data-testid="hit-state">State: {STATE[h.state]}.</p>
              {h.judgments.length > 0 ? (
                <ul>
                  {h.judgments.map((j, i) => (
                    <li key={i}>
                      {j.verdict === "confirmed" ? "Confirmed" : "False positive"} by{" "}
                      {file.nameOf(j.staffId)}, <Time at={j.at} />
                      {j.reason ? ` — “${j.reason}”` : ""}
                    </li>
                  ))}
                </ul>
              ) : null}
              {falsePositive && confirm ? (
                <form action={screeningHitAction} className="stack">
                  <input type="hidden" name="caseId" value={file.kycCase.id} />
                  <input type="hidden" name="hitKey" value={h.key} />
                  <label htmlFor={field}>Why (required for a false positive)</label>
                  <textarea id={field} name="reason" rows={2} maxLength={2000} />
                  {falsePositive.enabled ? null : (
                    <p
                      className="muted"
                      data-testid="why"
                      data-control="hit-false-positive"
                      data-why={falsePositive.why}
                    >
                      {why(falsePositive.why)}
                    </p>
                  )}
                  <div className="actions">
                    <button
                      className="button secondary"
                      name="verdict"
                      value="false_positive"
                      data-testid="hit-false-positive"
                      disabled={!falsePositive.enabled}
                    >
                      False positive
                    </button>
                    <button
                      className="button secondary"
                      name="verdict"
                      value="confirmed"
                      data-testid="hit-confirm"
                    >
                      Confirm match
                    </button>
                  </div>
                </form>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
