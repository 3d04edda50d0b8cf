import { STEPS } from "@/lib/kyc/levels";
import type { CaseFile } from "@/lib/review/case-file";
import { getConsoleLabels, getFieldLabels } from "@/lib/review/labels";
import { FieldValue } from "./value";
import { getCaseWords } from "./words";

/** What the trader typed, step by step, under the labels of the trader's own forms. */
export async function TraderData({ file }: { file: CaseFile }) {
  const { drafts } = file.progress;
  const [{ t }, label, fields] = await Promise.all([
    getCaseWords(),
    getConsoleLabels(),
    getFieldLabels(),
  ]);
  return (
    <section className="card" data-testid="trader-data" aria-labelledby="data-title">
      <h2 id="data-title">{t("traderData.title")}</h2>
      {file.progress.unreadableSteps.map((step) => (
        <p key={step} className="alert" data-testid="draft-unreadable" data-step={step}>
          {label.step(step)}: {t("traderData.unreadable")}
        </p>
      ))}
      {STEPS.filter((s) => drafts[s]).map((step) => {
        const draft = drafts[step]!;
        const data = draft.data ?? draft.values;
        return (
          <details key={step} open>
            <summary>
              {label.step(step)} {draft.completed ? "" : t("traderData.incomplete")}
            </summary>
            <dl className="facts">
              {Object.entries(data).map(([k, v]) => (
                <div key={k} style={{ display: "contents" }}>
                  <dt>{fields.field(step, k)}</dt>
                  <dd>
                    <FieldValue
                      step={step}
                      field={k}
                      value={v}
                      fields={fields}
                      country={label.country}
                    />
                  </dd>
                </div>
              ))}
            </dl>
          </details>
        );
      })}
    </section>
  );
}
