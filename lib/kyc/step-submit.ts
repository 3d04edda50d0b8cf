/**
 * Saving a step from the screen: autosave (keep what was typed) or continue (validate; complete
 * the step when it passes). Whatever happens, what the trader typed is kept: a failed submit
 * never loses input. Only an explicit "continue" completes a step; autosaving an edit leaves it
 * to be confirmed. Returns field errors as keys; the action translates them.
 */
import type { KycCase } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { loadStepDrafts, saveStepDraft, type DraftSaveIds, type IdentityKindSave } from "./drafts";
import { getLevel, STEPS, type StepId } from "./levels";
import { confirmedIdentityKind, STEP_DOCUMENTS } from "./requirements";
import type { StepErrors } from "./steps/fields";
import { loadActionRequest } from "./submission";
import { STEP_DEFINITIONS } from "./steps";

export type StepResult =
  | { ok: true; completed: boolean; warning?: string; version: number }
  /** A save typed on an older version of the draft (saved meanwhile elsewhere): nothing written. */
  | { ok: true; completed: false; stale: true }
  | { ok: false; errors: StepErrors; warning?: string; version: number };

/** The draft version an autosave was typed on, as the form posts it (absent: none known). */
function postedVersion(form: FormData): number | undefined {
  const raw = form.get("draftVersion");
  if (typeof raw !== "string" || !/^\d{1,9}$/.test(raw)) return undefined;
  return Number(raw);
}

export function isStepId(value: unknown): value is StepId {
  return typeof value === "string" && (STEPS as readonly string[]).includes(value);
}

/**
 * A new kind of identity document (an ID card, then a passport) means the photos uploaded so far
 * show another document: they stop counting, so the case never goes out with one document's
 * data and another's pictures. Each photo records the kind picked when its upload started (the
 * upload screens ask for that kind's sides), so an ID card's front and a driving licence's are
 * both kept while the trader taps between them, and each counts only for its own kind
 * (`ofSavedIdentityKind`). A first choice keeps the photos of no kind (uploaded before any was
 * chosen) of the sides that kind has: a passport page uploaded for the pre-fill stays for a
 * passport, and stops counting for an ID card, where it would otherwise be submitted and read for
 * the MRZ beside the card.
 *
 * Only a "Save and continue" that passes confirms a kind and retires the other kinds' photos. An
 * autosave, or a form with errors, keeps the kind as typed but retires nothing: a mis-tap
 * (passport → ID card) corrected a second later must not cost the trader both uploads, nor must a
 * form they are still correcting. The step is not complete until it is confirmed, so no case goes
 * out in between.
 */
async function identityKindSave(
  caseId: string,
  step: StepId,
  values: Record<string, unknown>,
  confirms: boolean,
): Promise<IdentityKindSave | undefined> {
  if (step !== "identity_document") return undefined;
  const confirmed = confirmedIdentityKind((await loadStepDrafts(caseId)).identity_document);
  const to = values.documentKind;
  if (!confirms || typeof to !== "string" || to === "") return { confirmed };
  return { confirmed: to, change: { from: confirmed, to } };
}

export async function submitStep(
  kycCase: Pick<KycCase, "id" | "status" | "level" | "traderId">,
  step: StepId,
  form: FormData,
  mode: "autosave" | "continue",
  now = new Date(),
  saves: DraftSaveIds = {},
): Promise<StepResult> {
  if (!getLevel(kycCase.level).steps.includes(step)) {
    throw new AppError("BAD_REQUEST", `step ${step} is not part of this level`);
  }
  // After a request for more, or a rejection with a retry reason, only what was named is open
  // again; everything else stays as it was sent.
  const request = await loadActionRequest(kycCase);
  if (request || kycCase.status === "action_required") {
    const open = request?.items.some(
      (i) =>
        (i.kind === "step" && i.step === step) ||
        (i.kind === "document" && STEP_DOCUMENTS[step] === i.documentType),
    );
    if (!open)
      throw new AppError("CONFLICT", "this step was not asked for again", {
        reason: "step_not_requested",
      });
  }
  const definition = STEP_DEFINITIONS[step];
  const values = definition.valuesFrom(form);
  const parsed = definition.parse(values, now);
  const data = mode === "continue" && parsed.ok ? parsed.data : null;
  // A save never overwrites a newer one: an autosave that a "Save and continue" overtook, or a
  // stale window's "Save and continue" over answers saved since in another. Without a version an
  // autosave only writes a step that has no draft yet; a continue without one (a form of an
  // earlier version) writes as before.
  const saved = await saveStepDraft(
    kycCase,
    step,
    values,
    data,
    now,
    mode === "autosave" ? (postedVersion(form) ?? 0) : postedVersion(form),
    await identityKindSave(kycCase.id, step, values, data !== null),
    mode === "autosave" ? { saveId: saves.saveId } : { abandonedSave: saves.abandonedSave },
  );
  if (!saved.saved) return { ok: true, completed: false, stale: true };
  const version = saved.version;
  if (mode === "autosave") return { ok: true, completed: false, version };
  if (parsed.ok) return { ok: true, completed: true, warning: parsed.warning, version };
  return { ok: false, errors: parsed.errors, warning: parsed.warning, version };
}
