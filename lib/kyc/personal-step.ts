/**
 * The personal information step as the screen uses it: save a draft (autosave) or submit the
 * step (validate, keep what was typed either way). Returns field errors as keys; the action
 * translates them.
 */
import type { KycCase } from "@/lib/db/schema";
import { saveStepDraft } from "./drafts";
import {
  parsePersonal,
  personalValuesFrom,
  type ErrorKey,
  type PersonalField,
} from "./steps/personal";

export type PersonalStepResult =
  | { ok: true; completed: boolean }
  | { ok: false; errors: Partial<Record<PersonalField, ErrorKey>> };

export async function submitPersonalStep(
  kycCase: Pick<KycCase, "id" | "status">,
  form: FormData,
  mode: "autosave" | "continue",
  now = new Date(),
): Promise<PersonalStepResult> {
  const values = personalValuesFrom(form);
  const parsed = parsePersonal(values, now);
  // Whatever happens, what the trader typed is kept: a failed submit never loses input. Only an
  // explicit "continue" completes the step; autosaving an edit leaves it to be confirmed.
  const completed = mode === "continue" && parsed.ok;
  await saveStepDraft(kycCase, "personal", parsed.ok ? parsed.data : values, completed, now);
  if (mode === "autosave" || parsed.ok) return { ok: true, completed };
  return { ok: false, errors: parsed.errors };
}
