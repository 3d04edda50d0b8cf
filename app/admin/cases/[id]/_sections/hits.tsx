import type { ReactNode } from "react";
import type { CaseFile } from "@/lib/review/case-file";
import { getConsoleLabels, type ConsoleLabels } from "@/lib/review/labels";
import { explanationLines } from "@/lib/review/hit-explanation";
import { sightingShown, type ReviewedHit } from "@/lib/review/screening-hits";
import { getTranslations } from "@/lib/i18n/translations";
import { screeningHitAction } from "../../../actions";
import { ConfirmButton } from "./confirm-button";
import { Countries, Time } from "./value";
import { getCaseWords } from "./words";
import { CaseFields } from "./case-fields";

type T = Awaited<ReturnType<typeof getCaseWords>>["t"];

/** Why the matcher flagged the trader, in words a compliance officer can check. */
function Explanation({ hit, t, label }: { hit: ReviewedHit; t: T; label: ConsoleLabels }) {
  // " (listed: …)" after a comparison, when the entry lists anything to compare with.
  const listed = (shown: ReactNode | null) => () =>
    shown === null ? null : t.rich("hits.listed", { values: () => shown });
  return (
    <ul className="muted" data-testid="hit-explanation">
      {explanationLines(hit.explanation, t("hits.noWords")).map((line) => (
        <li key={line.key}>
          {line.key === "dateOfBirth"
            ? t.rich("hits.dateOfBirth", {
                ...line.values,
                listed: listed(line.listed?.text ?? null),
              })
            : line.key === "nationality"
              ? t.rich("hits.nationality", {
                  ...line.values,
                  listed: listed(
                    line.listed ? (
                      <Countries codes={line.listed.codes} name={label.country} />
                    ) : null,
                  ),
                })
              : t(`hits.${line.key}`, line.values)}
        </li>
      ))}
    </ul>
  );
}

export async function Hits({ file }: { file: CaseFile }) {
  if (file.hits.length === 0) return null;
  const [{ t, why }, tConfirm, tConsole, label] = await Promise.all([
    getCaseWords(),
    getTranslations("Confirm"),
    getTranslations("Console"),
    getConsoleLabels(),
  ]);
  return (
    <section className="card" data-testid="screening-hits" aria-labelledby="hits-title">
      <h2 id="hits-title">{t("hits.title")}</h2>
      <p className="muted">{t("hits.intro")}</p>
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
              data-round={h.round ?? undefined}
              data-testid="hit"
            >
              <p>
                <strong data-testid="hit-name">{h.listedName}</strong> ·{" "}
                {t("hits.entry", { source: h.source })}{" "}
                <span data-testid="hit-entry">{h.entryId}</span> ·{" "}
                {t("hits.score", { score: h.score.toFixed(2) })} ·{" "}
                <span className="tag">{label.hitLevel(h.level)}</span> · {label.hitType(h.type)}
                {h.programs.length ? ` · ${h.programs.join(", ")}` : ""}
                {h.round !== file.kycCase.round
                  ? ` · ${t("hits.earlierRound", { round: h.round === null ? "unknown" : String(h.round), origin: h.origin })}`
                  : h.origin === "rescreen"
                    ? ` · ${t("hits.rescreen")}`
                    : ""}
              </p>
              <Explanation hit={h} t={t} label={label} />
              <p data-testid="hit-state">{t("hits.state", { state: h.state })}</p>
              {h.judgments.length > 0 ? (
                <ul>
                  {h.judgments.map((j, i) => (
                    <li key={i} data-judge-role={j.role}>
                      {t.rich("hits.judgment", {
                        verdict: j.verdict,
                        // The role they judged in: a likely hit's clearing counts as an
                        // approver's by it, whatever their role is now.
                        name: `${file.nameOf(j.staffId) ?? t("formerStaff")}${j.role ? ` (${tConsole("role", { role: j.role })})` : ""}`,
                        time: () => <Time at={j.at} />,
                      })}
                      {j.reason ? ` — “${j.reason}”` : ""}
                    </li>
                  ))}
                </ul>
              ) : null}
              {falsePositive && confirm ? (
                <form action={screeningHitAction} className="stack">
                  <CaseFields file={file} />
                  <input type="hidden" name="hitKey" value={h.key} />
                  {Object.entries(sightingShown(h)).map(([name, value]) => (
                    <input key={name} type="hidden" name={name} value={value} />
                  ))}
                  <label htmlFor={field}>{t("hits.why")}</label>
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
                      {t("hits.falsePositive")}
                    </button>
                    <ConfirmButton
                      className="button secondary"
                      testId="hit-confirm"
                      carry={{ name: "verdict", value: "confirmed" }}
                      question={tConfirm("hit")}
                      yes={tConfirm("yes")}
                      cancel={tConfirm("cancel")}
                    >
                      {t("hits.confirm")}
                    </ConfirmButton>
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
