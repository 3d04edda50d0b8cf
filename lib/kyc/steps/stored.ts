/**
 * A completed step's stored answers (case_drafts.payload `data`, frozen in case_submissions) as
 * the automated checks and the re-screening read them back: one schema per step, beside the
 * steps that write them. Each is typed against its step's own data type, so a field the step
 * stops writing, or writes in another shape, fails to compile here instead of the check that
 * reads it silently not running (tests/lib/kyc/steps/stored.test.ts parses each step's real
 * output too). Only the fields a reader needs are listed; the rest pass through unread.
 */
import { z } from "zod";
import { ADDRESS_DOCUMENT_KINDS, type ProofOfAddressData } from "./proof-of-address";
import { QUESTION_IDS, type AppropriatenessData } from "./appropriateness";
import { IDENTITY_DOCUMENT_KINDS, type IdentityDocumentData } from "./identity-document";
import type { PersonalData } from "./personal";
import { PEP_RELATIONS, type PepData } from "./profile";
import { NO_TIN_REASONS, type TaxData } from "./tax";

/** `T` with only the keys `K`: what a reader takes from the step's data. */
type Read<T, K extends keyof T> = z.ZodType<Pick<T, K>>;

export const storedPersonal: Read<
  PersonalData,
  "givenNames" | "surnames" | "dateOfBirth" | "nationalities" | "country"
> = z.object({
  givenNames: z.string(),
  surnames: z.string(),
  dateOfBirth: z.string(),
  nationalities: z.array(z.string()),
  country: z.string(),
});

export const storedIdentityDocument: Read<IdentityDocumentData, keyof IdentityDocumentData> =
  z.object({
    documentKind: z.enum(IDENTITY_DOCUMENT_KINDS),
    documentNumber: z.string(),
    issuingCountry: z.string(),
    expiryDate: z.string(),
  });

export const storedProofOfAddress: Read<ProofOfAddressData, keyof ProofOfAddressData> = z.object({
  addressDocumentKind: z.enum(ADDRESS_DOCUMENT_KINDS),
  issueDate: z.string(),
});

export const storedTax: Read<TaxData, "taxResidences"> = z.object({
  taxResidences: z.array(
    z.object({
      country: z.string(),
      tin: z.string().nullable(),
      noTinReason: z.enum(NO_TIN_REASONS).nullable(),
    }),
  ),
});

export const storedPep: Read<PepData, keyof PepData> = z.object({
  isPep: z.boolean(),
  pepRelation: z.enum(PEP_RELATIONS).nullable(),
  pepPosition: z.string().nullable(),
  pepCountry: z.string().nullable(),
});

export const storedAppropriateness: Read<AppropriatenessData, "result" | "score" | "maxScore"> =
  z.object({
    result: z.enum(["appropriate", "not_appropriate"]),
    score: z.number(),
    maxScore: z.number(),
  });

/**
 * The questionnaire's answers, each question's chosen option id, as the console reads them back.
 * Apart from the scored result: the checks never read them, so answers stored by an earlier
 * questionnaire version cannot make the checks call the step unreadable.
 */
export const storedAppropriatenessAnswers: Read<AppropriatenessData, "answers"> = z.object({
  answers: z.record(z.enum(QUESTION_IDS), z.string()),
});
