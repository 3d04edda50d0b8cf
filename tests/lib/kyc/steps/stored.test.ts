/**
 * Each step's real output (the step's own parse of valid answers, as the trader's submit stores
 * it) reads back with the schema the checks and the console read it with
 * (lib/kyc/steps/stored.ts), field for field: a step that changes what it stores fails here, not
 * as a check that silently stops.
 */
import { STEP_DEFINITIONS } from "@/lib/kyc/steps";
import type { StepId } from "@/lib/kyc/levels";
import {
  storedAppropriateness,
  storedAppropriatenessAnswers,
  storedIdentityDocument,
  storedPep,
  storedPersonal,
  storedProofOfAddress,
  storedTax,
} from "@/lib/kyc/steps/stored";
import type { z } from "zod";
import { ENHANCED_OWN_STEPS, IDENTITY, PERSONAL } from "../../../fixtures/kyc-values";

const NOW = new Date("2026-11-25T10:00:00Z");
const own = Object.fromEntries(ENHANCED_OWN_STEPS);

function stored(step: StepId, values: Record<string, string | string[]>): unknown {
  const parsed = STEP_DEFINITIONS[step].parse(values, NOW);
  if (!parsed.ok) throw new Error(`${step}: ${JSON.stringify(parsed.errors)}`);
  return JSON.parse(JSON.stringify(parsed.data));
}

const cases: [StepId, Record<string, string | string[]>, z.ZodType][] = [
  ["personal", PERSONAL, storedPersonal],
  ["identity_document", IDENTITY, storedIdentityDocument],
  [
    "proof_of_address",
    { addressDocumentKind: "bank_statement", issueDate: "2026-11-01" },
    storedProofOfAddress,
  ],
  ["tax", own.tax!, storedTax],
  ["pep", own.pep!, storedPep],
  [
    "pep",
    { isPep: "yes", pepRelation: "family_member", pepPosition: "Minister", pepCountry: "SE" },
    storedPep,
  ],
  ["appropriateness", own.appropriateness!, storedAppropriateness],
  ["appropriateness", own.appropriateness!, storedAppropriatenessAnswers],
];

describe("a step's stored answers, as the checks read them", () => {
  it.each(cases)("%s reads back with every field the checks use", (step, values, schema) => {
    const data = stored(step, values) as Record<string, unknown>;
    const read = schema.safeParse(data);
    expect(read.error?.issues ?? []).toEqual([]);
    // Every field the reader keeps is the step's own value, not a default.
    for (const [key, value] of Object.entries(read.data as Record<string, unknown>))
      expect(data[key]).toEqual(value);
  });

  it("does not read answers a step no longer stores in that shape", () => {
    expect(storedPep.safeParse({ isPep: "yes" }).success).toBe(false);
    expect(storedTax.safeParse({ taxResidences: [{ country: "SE" }] }).success).toBe(false);
    expect(
      storedAppropriateness.safeParse({ result: "maybe", score: 1, maxScore: 2 }).success,
    ).toBe(false);
    expect(
      storedAppropriatenessAnswers.safeParse({ answers: { experienceYears: "over_3y" } }).success,
    ).toBe(false);
  });
});
