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
export const draftPayloadSchema = stepAnswersSchema;
export type DraftPayload = z.infer<typeof draftPayloadSchema>;

/**
 * case_submissions.payload: what a round froze of each step. Read back by the console's summary
 * (what changed since the last round), the queue's names, the search index and the evidence export.
 */
export const submittedAnswersSchema = z.partialRecord(z.enum(STEPS), stepAnswersSchema);
export type SubmittedAnswers = z.infer<typeof submittedAnswersSchema>;
