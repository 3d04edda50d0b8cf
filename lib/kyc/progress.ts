/**
 * Where the trader stands in their level: each step done or not, and which one is next.
 * Pure, from the level and the saved drafts (documents join in with the upload work).
 */
import type { DocumentType } from "@/lib/inapp/params";
import type { StepDraft } from "./drafts";
import type { Level, StepId } from "./levels";

/** Steps with a form on this screen today; the others are listed but not yet collectable. */
export const FORM_STEPS: ReadonlySet<StepId> = new Set(["personal"]);
export const DOCUMENT_STEPS: Partial<Record<StepId, DocumentType>> = {
  identity_document: "identity",
  proof_of_address: "address",
};

export type StepState = {
  step: StepId;
  kind: "form" | "document" | "unavailable";
  done: boolean;
  documentType?: DocumentType;
};

export function levelProgress(
  level: Level,
  drafts: Partial<Record<StepId, StepDraft>>,
): { steps: StepState[]; done: number; total: number; next: StepState | undefined } {
  const steps = level.steps.map((step): StepState => {
    const documentType = DOCUMENT_STEPS[step];
    if (documentType) return { step, kind: "document", done: false, documentType };
    if (FORM_STEPS.has(step)) return { step, kind: "form", done: drafts[step]?.completed === true };
    return { step, kind: "unavailable", done: false };
  });
  const done = steps.filter((s) => s.done).length;
  return {
    steps,
    done,
    total: steps.length,
    next: steps.find((s) => !s.done && s.kind !== "unavailable"),
  };
}
