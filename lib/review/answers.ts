/**
 * The stored answers that are structures (the tax residences, the questionnaire's answers), read
 * back through their step's stored schema (lib/kyc/steps/stored.ts) so that the console and the
 * printable evidence can show them in words. Anything else, or a structure that no longer
 * parses, comes back as stored: staff see whatever the database holds rather than an error.
 */
import { QUESTION_IDS } from "@/lib/kyc/steps/appropriateness";
import { storedAppropriatenessAnswers, storedTax } from "@/lib/kyc/steps/stored";
import type { TaxResidence } from "@/lib/kyc/steps/tax";

export type ReadAnswer =
  | { kind: "residences"; rows: TaxResidence[] }
  /** Question ids with the chosen option's id, in the questionnaire's order. */
  | { kind: "questions"; answers: { question: string; answer: string }[] }
  | { kind: "value"; value: unknown };

export function readAnswer(step: string, field: string, value: unknown): ReadAnswer {
  if (step === "tax" && field === "taxResidences") {
    const read = storedTax.safeParse({ taxResidences: value });
    if (read.success) return { kind: "residences", rows: read.data.taxResidences };
  }
  if (step === "appropriateness" && field === "answers") {
    const read = storedAppropriatenessAnswers.safeParse({ answers: value });
    if (read.success)
      return {
        kind: "questions",
        answers: QUESTION_IDS.map((question) => ({
          question,
          answer: read.data.answers[question],
        })),
      };
  }
  return { kind: "value", value };
}
