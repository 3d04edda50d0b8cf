import Link from "next/link";
import type { CaseFile } from "@/lib/review/case-file";
import { getConsoleLabels, getFieldLabels } from "@/lib/review/labels";
import { getTranslations } from "@/lib/i18n/translations";
import { getCaseWords } from "./words";
import { Countries, FieldValue, Time, Value } from "./value";

const score = (n: number | undefined, digits = 0) => (n === undefined ? "—" : n.toFixed(digits));

/** The case at a glance, on top of the page (lib/review/case-summary.ts). */
export async function CaseSummary({ file }: { file: CaseFile }) {
  const [t, label, fields, { riskMarks }] = await Promise.all([
    getTranslations("CaseSummary"),
    getConsoleLabels(),
    getFieldLabels(),
    getCaseWords(),
  ]);
  const { who, risk, checks, hits, documents, previousCases, changes } = file.summary;
  return (
    <section className="card" data-testid="case-summary" aria-labelledby="case-summary-title">
      <h2 id="case-summary-title">{t("title")}</h2>
      <div className="summary-grid">
        <dl className="facts" data-testid="summary-who" aria-label={t("who")}>
          <dt>{t("name")}</dt>
          <dd data-testid="summary-name">
            <Value value={who.name} />
          </dd>
          <dt>{t("dateOfBirth")}</dt>
          <dd data-testid="summary-dob">
            <Value value={who.dateOfBirth} />
          </dd>
          <dt>{t("nationality")}</dt>
          <dd data-testid="summary-nationality">
            <Countries codes={who.nationalities} name={label.country} />
          </dd>
          <dt>{t("country")}</dt>
          <dd data-testid="summary-country">
            <Countries codes={who.country} name={label.country} />
          </dd>
          <dt>{t("account")}</dt>
          <dd data-testid="summary-account">
            {t("accountValue", {
              user: String(who.ctraderUserId ?? "—"),
              login: String(who.tradingLogin ?? "—"),
            })}
          </dd>
          <dt>{t("level")}</dt>
          <dd data-testid="summary-level" data-level={file.summary.level}>
            {label.level(file.summary.level)}
          </dd>
          <dt>{t("trigger")}</dt>
          <dd data-testid="summary-trigger" data-trigger={file.summary.trigger}>
            {label.trigger(file.summary.trigger)}
          </dd>
        </dl>
        <div>
          <h3>{t("risk")}</h3>
          <p
            data-testid="summary-risk"
            data-risk={risk.level ?? "none"}
            data-risk-earlier-round={file.riskFromEarlierRound || undefined}
            data-risk-open-hit={risk.heldByOpenHit || undefined}
          >
            {risk.score === null
              ? label.risk(risk.level)
              : t("riskValue", { level: label.risk(risk.level), score: String(risk.score) })}
            {riskMarks(file.riskMarks, label.risk)}
          </p>
          {risk.reasons.length > 0 ? (
            <>
              <h4>{t("riskReasons")}</h4>
              <ul data-testid="summary-risk-reasons">
                {risk.reasons.map((r) => (
                  <li key={r.check} data-risk-check={r.check} data-outcome={r.outcome}>
                    {label.check(r.check)} ({label.outcome(r.outcome)}): +{r.points}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>{t("checks")}</h3>
          {checks ? (
            <p data-testid="summary-checks" data-risk-run-round={checks.riskRunRound ?? undefined}>
              {checks.riskRunRound === null
                ? null
                : `${t("checksRiskRun", { round: String(checks.riskRunRound) })} `}
              {(["pass", "warn", "fail"] as const).map((o) => (
                <span key={o} className={`outcome-${o}`} data-outcome={o} data-count={checks[o]}>
                  {label.outcome(o)}: {checks[o]}{" "}
                </span>
              ))}
            </p>
          ) : (
            <p className="muted" data-testid="summary-checks">
              {label.risk(null)}
            </p>
          )}
          <h3>{t("hits")}</h3>
          {hits.length === 0 ? (
            <p className="muted" data-testid="summary-hits">
              {t("noHits")}
            </p>
          ) : (
            <ul data-testid="summary-hits">
              {hits.map((h) => (
                <li key={h.key} data-summary-hit={h.key} data-level={h.level} data-state={h.state}>
                  <bdi>{h.listedName}</bdi> · {label.hitLevel(h.level)} ({score(h.score, 2)}) ·{" "}
                  {label.hitState(h.state)}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <h3>{t("documents")}</h3>
      {documents.length === 0 ? (
        <p className="muted">{t("noDocuments")}</p>
      ) : (
        <ul data-testid="summary-documents">
          {documents.map((d) => (
            <li key={d.id} data-document={d.documentType} data-side={d.side}>
              {label.documentType(d.documentType)} · {label.side(d.side)} —{" "}
              {d.quality.brightness === undefined ? (
                <span className="muted">{t("notAnalysed")}</span>
              ) : (
                <span data-testid="summary-quality">
                  {t("quality", {
                    brightness: score(d.quality.brightness),
                    blur: score(d.quality.blur),
                    glare: `${score((d.quality.glare ?? 0) * 100, 1)} %`,
                  })}
                </span>
              )}
              {(d.quality.issues ?? []).map((i) => (
                <strong key={i} className="issue" data-issue={i}>
                  {" "}
                  · {label.qualityIssue(i)}
                </strong>
              ))}
            </li>
          ))}
        </ul>
      )}
      <h3>{t("previousCases")}</h3>
      {previousCases.length === 0 ? (
        <p className="muted" data-testid="summary-previous">
          {t("none")}
        </p>
      ) : (
        <ul data-testid="summary-previous">
          {previousCases.map((c) => (
            <li key={c.id} data-case={c.id}>
              <Link href={`/admin/cases/${c.id}`}>
                {label.level(c.level)} · {label.status(c.status)}
              </Link>{" "}
              · <Time at={c.openedAt} dateOnly />
            </li>
          ))}
        </ul>
      )}
      <h3>{t("changes")}</h3>
      {changes === null ? (
        <p className="muted" data-testid="summary-changes" data-changes="none">
          {t("firstRound")}
        </p>
      ) : (
        <div data-testid="summary-changes" data-round={changes.round}>
          {changes.request ? (
            <p data-testid="summary-asked">
              {t("askedFor")} (<Time at={changes.request.at} />
              ):{" "}
              {[
                ...new Set([
                  ...(changes.request.reasonCode ? [label.reason(changes.request.reasonCode)] : []),
                  ...changes.request.items.map(label.item),
                ]),
              ].join(", ")}
              {changes.request.message ? (
                <>
                  {" — “"}
                  <bdi>{changes.request.message}</bdi>”
                </>
              ) : null}
            </p>
          ) : null}
          {changes.answers.length === 0 && changes.documents.length === 0 ? (
            <p className="muted">{t("noChanges")}</p>
          ) : null}
          {changes.answers.length > 0 ? (
            <>
              <h4>{t("changedAnswers")}</h4>
              <table className="queue" data-testid="summary-changed-answers">
                <tbody>
                  {changes.answers.map((c) => {
                    const valueOf = (value: unknown) => (
                      <FieldValue
                        step={c.step}
                        field={c.field}
                        value={value}
                        fields={fields}
                        country={label.country}
                      />
                    );
                    return (
                      <tr key={`${c.step}.${c.field}`} data-step={c.step} data-field={c.field}>
                        <td>
                          {label.step(c.step)} · {fields.field(c.step, c.field)}
                        </td>
                        <td>
                          <del>{valueOf(c.before)}</del>
                        </td>
                        <td>
                          <ins>{valueOf(c.after)}</ins>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </>
          ) : null}
          {changes.documents.length > 0 ? (
            <>
              <h4>{t("newDocuments")}</h4>
              <ul data-testid="summary-new-documents">
                {changes.documents.map((d) => (
                  <li key={d.id} data-document={d.documentType} data-side={d.side}>
                    {label.documentType(d.documentType)} · {label.side(d.side)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      )}
    </section>
  );
}
