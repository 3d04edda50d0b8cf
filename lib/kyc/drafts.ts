/**
 * Step drafts: every step saves what the trader typed as they go (encrypted), so they can leave
 * and resume on any device or in a later session; a step counts as done once its values passed
 * full validation. Only editable cases accept changes.
 */
import { AppError } from "@/lib/errors";
import { listDrafts, upsertDraft } from "@/lib/db/queries/drafts";
import type { KycCase } from "@/lib/db/schema";
import { decryptJson, encryptJson } from "@/lib/security/encryption";
import { EDITABLE_STATUSES } from "./case-state";
import type { StepId } from "./levels";

export type StepDraft = { values: Record<string, unknown>; completed: boolean; updatedAt: Date };

export async function saveStepDraft(
  kycCase: Pick<KycCase, "id" | "status">,
  step: StepId,
  values: Record<string, unknown>,
  completed: boolean,
  now = new Date(),
): Promise<void> {
  if (!EDITABLE_STATUSES.has(kycCase.status)) {
    throw new AppError("CONFLICT", "this verification can no longer be changed");
  }
  await upsertDraft({
    caseId: kycCase.id,
    step,
    payload: encryptJson(values, kycCase.id),
    completedAt: completed ? now : null,
    now,
  });
}

export async function loadStepDrafts(caseId: string): Promise<Partial<Record<StepId, StepDraft>>> {
  const drafts: Partial<Record<StepId, StepDraft>> = {};
  for (const row of await listDrafts(caseId)) {
    drafts[row.step as StepId] = {
      values: decryptJson<Record<string, unknown>>(row.payload, caseId),
      completed: row.completedAt !== null,
      updatedAt: row.updatedAt,
    };
  }
  return drafts;
}
