/**
 * The step forms' autosave API, `POST /api/inapp/autosave`: the request the form's script sends,
 * the answer it reads, and the closed list of reasons a step save is refused with the words each
 * reads as (keys in the `Errors` messages). The route (lib/inapp/step-save.ts), the step's server
 * action and the form's script all import it, so a field or a reason cannot drift between them.
 *
 * Autosave is a route and not a server action because Next runs a page's server actions one at a
 * time: an autosave stalled on a slow network would hold back "Save and continue" behind it.
 * Bundled for the browser: zod/mini only.
 */
import * as z from "zod/mini";
import { SESSION_REFUSAL_WORDS } from "@/lib/documents/upload-contract";

export const AUTOSAVE_PATH = "/api/inapp/autosave";

/**
 * The form's fields as the browser has them (`new FormData(form)`, in order; a field may repeat):
 * the step's own hidden `step` and `draftVersion` included, so the server reads exactly what the
 * form's own post would carry. The window reference goes in the trader API's header.
 */
export const autosaveRequest = z.object({
  fields: z
    .array(z.tuple([z.string().check(z.maxLength(100)), z.string().check(z.maxLength(4000))]))
    .check(z.maxLength(400)),
});
export type AutosaveRequest = z.infer<typeof autosaveRequest>;

/**
 * Each autosave names itself with a random id (field SAVE_ID_FIELD), and the server keeps the id
 * of the save that produced the draft's version. A "Save and continue" that stopped waiting for
 * an autosave names that save (field ABANDONED_SAVE_FIELD): if it did land, the version it made
 * is the trader's own, not another window's, and the submit is not refused as stale for it.
 */
export const SAVE_ID_FIELD = "saveId";
export const ABANDONED_SAVE_FIELD = "abandonedSave";
export const saveId = z.string().check(z.regex(/^[0-9a-f]{32}$/));

/** 200: the draft is saved; `version` is what the next autosave and the form's post carry. */
export const autosaveAnswer = z.object({
  status: z.literal("saved"),
  version: z.int().check(z.minimum(0)),
});
export type AutosaveAnswer = z.infer<typeof autosaveAnswer>;

/**
 * Why a step was not saved, with its words. `stale_draft`: typed on an older version of the
 * step's draft (saved meanwhile in another window); the session's refusals, a phone-handoff
 * session's included, tell the trader what to do next; the rest read as a plain failure.
 */
export const STEP_SAVE_REFUSAL_WORDS = {
  ...SESSION_REFUSAL_WORDS,
  // A phone-handoff session may only upload: a step form is not its to save. "Try again" would
  // fail the same way; the trader is told where the form can be filled in.
  out_of_scope: "uploadOnly",
  stale_draft: "staleDraft",
  not_editable: "notEditable",
  case_erased: "caseErased",
  bad_request: "saveFailed",
  save_failed: "saveFailed",
} as const;
export type StepSaveRefusal = keyof typeof STEP_SAVE_REFUSAL_WORDS;
export type StepSaveWords = (typeof STEP_SAVE_REFUSAL_WORDS)[StepSaveRefusal];
