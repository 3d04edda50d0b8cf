import { STEPS } from "@/lib/kyc/levels";
import type { CaseFile } from "@/lib/review/case-file";
import { Value } from "./value";

export function TraderData({ file }: { file: CaseFile }) {
  const { drafts } = file.progress;
  return (
    <section className="card" data-testid="trader-data" aria-labelledby="data-title">
      <h2 id="data-title">Trader data</h2>
      {STEPS.filter((s) => drafts[s]).map((step) => {
        const draft = drafts[step]!;
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
  );
}
