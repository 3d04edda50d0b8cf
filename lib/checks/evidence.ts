/**
 * The stored evidence of every automated check: one zod schema per check, used by the writer
 * (lib/checks/checks.ts parses what it is about to store) and by every reader (the console's case
 * file, the evidence export, re-screening, the approval rules). A reader never guesses a shape:
 * the console once read a screening hit as `{entry: {id}}` while the checks stored `{entryId}`,
 * and every case with a hit crashed its page.
 *
 * Readers use `readCheckEvidence`, which never throws: evidence written by an older version that
 * no longer parses comes back as `{ ok: false, raw }`, shown as raw JSON with a warning instead of
 * taking the page down.
 */
import { z } from "zod";
import type { Explanation } from "@/lib/screening/match";
import { lookalikeSchema } from "@/lib/documents/stored-quality";
import { VENDORS, VERDICT_MISSING, vendorVerdictSchema } from "@/lib/vendors/verdict";
import { CHECK_NAMES, type CheckName } from "./types";

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const reason = <T extends string>(...values: [T, ...T[]]) =>
  z.strictObject({ reason: z.enum(values) });

export const explanationSchema = z.strictObject({
  matchedName: z.string(),
  matchedAlias: z.boolean(),
  nameScore: z.number(),
  pairs: z.array(z.strictObject({ query: z.string(), listed: z.string(), score: z.number() })),
  unmatchedQuery: z.array(z.string()),
  unmatchedListed: z.array(z.string()),
  dateOfBirth: z.strictObject({
    result: z.enum(["exact", "year", "near", "partial", "conflict", "unknown"]),
    listed: z.array(z.string()),
  }),
  nationality: z.strictObject({
    result: z.enum(["agree", "conflict", "unknown"]),
    listed: z.array(z.string()),
  }),
  adjustment: z.number(),
});

// The matcher's type and the stored shape are one: this fails to compile when they drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const explanationMatches: Same<z.infer<typeof explanationSchema>, Explanation> = true;
void explanationMatches;

export const HIT_LEVELS = ["likely", "review", "below"] as const;

export const storedHitSchema = z.strictObject({
  // Described for the published webhook schema, which carries these fields (lib/delivery/payload.ts).
  source: z.string().min(1).describe("The list, e.g. ofac-sdn."),
  entryId: z.string().min(1).describe("The entry's id on that list."),
  listedName: z.string(),
  type: z.string(),
  programs: z.array(z.string()),
  score: z.number().min(0).max(1),
  level: z.enum(HIT_LEVELS),
  explanation: explanationSchema,
});
export type StoredHit = z.infer<typeof storedHitSchema>;

/** How a hit is named in judgments and tasks: list and entry, stable across runs. */
export function hitKey(hit: Pick<StoredHit, "source" | "entryId">): string {
  return `${hit.source}:${hit.entryId}`;
}

export const screeningEvidenceSchema = z.union([
  reason("no_personal_data", "no_list"),
  z.strictObject({
    /** source → version of every list screened against. */
    lists: z.record(z.string(), z.string()),
    thresholds: z.strictObject({ review: z.number(), likely: z.number() }),
    hits: z.array(storedHitSchema),
  }),
]);
export type ScreeningEvidence = z.infer<typeof screeningEvidenceSchema>;

const flaggedDocument = z.strictObject({
  documentId: z.string(),
  documentType: z.string(),
  side: z.string(),
  issues: z.array(z.string()),
});
const reusedDocument = z.strictObject({
  documentId: z.string(),
  documentType: z.string(),
  side: z.string(),
  // The analysis's look-alikes as it stored them, held to the letter like all evidence.
  usedBy: z.array(z.strictObject(lookalikeSchema.shape)),
});

export const MRZ_FIELDS = [
  "surnames",
  "givenNames",
  "dateOfBirth",
  "documentNumber",
  "expiryDate",
  "nationality",
  "issuingCountry",
] as const;
export type MrzField = (typeof MRZ_FIELDS)[number];

export const mrzEvidenceSchema = z.union([
  reason("no_image", "unreadable_zone", "invalid_check_digits"),
  z.strictObject({
    format: z.enum(["TD1", "TD2", "TD3"]),
    /** Tesseract's mean confidence over the zone, 0–100. */
    confidence: z.number(),
    rotation: z.number().int(),
    /** Per field: the zone agrees with what was typed, differs, or the trader typed nothing. */
    fields: z.partialRecord(z.enum(MRZ_FIELDS), z.enum(["agree", "near", "differ", "not_typed"])),
    /**
     * What the zone says where it differs, for the reviewer (names and dates as printed; a
     * document number only by its last three characters, as elsewhere in stored evidence).
     */
    differences: z.array(
      z.strictObject({ field: z.enum(MRZ_FIELDS), typed: z.string(), read: z.string() }),
    ),
  }),
]);
export type MrzEvidence = z.infer<typeof mrzEvidenceSchema>;

export const CHECK_EVIDENCE = {
  age: z.union([
    reason("no_date_of_birth"),
    z.strictObject({ age: z.number().int(), minAge: z.number().int() }),
  ]),
  document_expiry: z.union([
    reason("no_expiry_date"),
    z.strictObject({
      expiryDate: isoDay,
      daysLeft: z.number().int(),
      warnWithinDays: z.number().int(),
    }),
  ]),
  document_country: z.strictObject({
    issuingCountry: z.string(),
    documentKind: z.string(),
    nationalities: z.array(z.string()),
  }),
  tax_residence: z.strictObject({
    taxCountries: z.array(z.string()),
    residenceCountry: z.string(),
  }),
  upload_quality: z.strictObject({
    documents: z.number().int(),
    issues: z.number().int(),
    flagged: z.array(flaggedDocument),
  }),
  duplicate_document_number: z.strictObject({
    issuingCountry: z.string(),
    documentKind: z.string(),
    otherTraders: z.array(z.string()),
    otherCases: z.array(z.string()),
  }),
  duplicate_image: z.strictObject({ reused: z.array(reusedDocument) }),
  pep_declaration: z.strictObject({
    isPep: z.boolean(),
    relation: z.string().nullable(),
    country: z.string().nullable(),
  }),
  appropriateness: z.strictObject({
    result: z.enum(["appropriate", "not_appropriate"]),
    score: z.number(),
    maxScore: z.number(),
  }),
  screening: screeningEvidenceSchema,
  // The vendor's verdict as the adapter mapped it (one schema with lib/vendors), none yet, or
  // none to be had (VERDICT_MISSING).
  vendor: z.union([
    z.strictObject({
      reason: z.enum(["no_verdict", ...VERDICT_MISSING]),
      vendor: z.enum(VENDORS),
    }),
    vendorVerdictSchema,
  ]),
  mrz_match: mrzEvidenceSchema,
  selfie: z.strictObject({
    /** Every frame of one attempt, each answering its own prompt. */
    complete: z.boolean(),
    frames: z.array(
      z.strictObject({ documentId: z.string(), side: z.string(), prompt: z.string().nullable() }),
    ),
  }),
} as const satisfies Record<CheckName, z.ZodType>;

export type CheckEvidence<C extends CheckName> = z.infer<(typeof CHECK_EVIDENCE)[C]>;

/** The writer's side: evidence that does not match its schema is a bug, refused before storing. */
export function checkedEvidence<C extends CheckName>(
  check: C,
  evidence: unknown,
): CheckEvidence<C> {
  return CHECK_EVIDENCE[check].parse(evidence) as CheckEvidence<C>;
}

/** Evidence as read: a check's name narrows its evidence to that check's schema. */
export type ReadEvidence =
  | { [C in CheckName]: { ok: true; check: C; evidence: CheckEvidence<C> } }[CheckName]
  | { ok: false; check: string; raw: unknown };

/** The readers' side: never throws; an unknown check or an old shape comes back as raw. */
export function readCheckEvidence(check: string, evidence: unknown): ReadEvidence {
  if (!(CHECK_NAMES as readonly string[]).includes(check))
    return { ok: false, check, raw: evidence };
  const parsed = CHECK_EVIDENCE[check as CheckName].safeParse(evidence);
  // The schema is the check's own: the pair is the union's member for that check.
  return parsed.success
    ? ({ ok: true, check, evidence: parsed.data } as ReadEvidence)
    : { ok: false, check, raw: evidence };
}

/** A hit the dashboard's hit rate counts: at review or likely level, not below. */
export function isCountedHit(hit: Pick<StoredHit, "level">): boolean {
  return hit.level !== "below";
}

/**
 * How many counted hits a stored screening result holds, or null when it screened against no
 * list (or does not parse). The run keeps this beside the evidence (check_runs.screening_hits)
 * so that the dashboard counts runs instead of walking every run's hits.
 */
export function countedScreeningHits(evidence: unknown): number | null {
  const parsed = screeningEvidenceSchema.safeParse(evidence);
  return parsed.success && "hits" in parsed.data
    ? parsed.data.hits.filter(isCountedHit).length
    : null;
}

/** The hits of a stored screening result (none when it screened nothing or does not parse). */
export function screeningHits(evidence: unknown): StoredHit[] {
  const parsed = screeningEvidenceSchema.safeParse(evidence);
  return parsed.success && "hits" in parsed.data ? parsed.data.hits : [];
}
