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
  /**
   * The identity document step only: each kind an autosave picked since `confirmedKind` was
   * confirmed, in order, with when (ISO time, the database's clock, which also stamps the files'
   * `created_at`). A photo is of the kind picked when it was uploaded (the upload screens ask for
   * that kind's sides), one uploaded before the first pick of the confirmed kind: only those of
   * the saved kind count for it (lib/kyc/requirements.ts) and confirming a kind retires the rest,
   * so tapping back and forth neither loses a kind's photos nor lends them to another kind with
   * the same sides. Absent: no kind picked since the confirmation.
   */
  kindPicks: z.array(z.object({ kind: z.string(), at: z.iso.datetime() })).optional(),
  /** The one pick a draft may record as a single time (the saved kind's); read as `kindPicks`. */
  kindPickedAt: z.iso.datetime().optional(),
});
export type DraftPayload = z.infer<typeof draftPayloadSchema>;
export type KindPick = NonNullable<DraftPayload["kindPicks"]>[number];

/**
 * case_submissions.payload: what a round froze of each step. Read back by the console's summary
 * (what changed since the last round), the queue's names, the search index and the evidence export.
 */
export const submittedAnswersSchema = z.partialRecord(z.enum(STEPS), stepAnswersSchema);
export type SubmittedAnswers = z.infer<typeof submittedAnswersSchema>;
