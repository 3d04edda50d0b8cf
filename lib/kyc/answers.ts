/**
 * The trader's answers at rest, one schema for every writer and reader: a step's draft
 * (case_drafts.payload, written as the trader types) and a round's frozen answers
 * (case_submissions.payload, written at the submit from those drafts). Both are sealed under the
 * case key; readers open them with `CaseCipher.decryptJson(value, schema)` and decide what a value
 * that does not parse means for them (lib/review/queue.ts, search-index.ts, evidence.ts, ...).
 */
import { z } from "zod";
import { STEPS } from "./levels";

/** One step: the values as typed (what the form shows again) and, once complete, the checked data. */
export const stepAnswersSchema = z.object({
  values: z.record(z.string(), z.unknown()),
  /** The step's validated data; null until the step is complete. */
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type StepAnswers = z.infer<typeof stepAnswersSchema>;

/** case_drafts.payload: one step of the draft being filled. */
export const draftPayloadSchema = stepAnswersSchema.extend({
  /**
   * The identity document step only: the kind last confirmed with "Save and continue" (null:
   * none yet), which the case's identity photos belong to. An autosave carries it over, so a kind
   * only picked in the form (a mis-tap corrected a second later) retires no photo. Absent where
   * the saved kind is the confirmed one: answers put back from a round, older drafts.
   */
  confirmedKind: z.string().nullable().optional(),
});
export type DraftPayload = z.infer<typeof draftPayloadSchema>;

/**
 * case_submissions.payload: what a round froze of each step. Read back by the console's summary
 * (what changed since the last round), the queue's names, the search index and the evidence export.
 */
export const submittedAnswersSchema = z.partialRecord(z.enum(STEPS), stepAnswersSchema);
export type SubmittedAnswers = z.infer<typeof submittedAnswersSchema>;
