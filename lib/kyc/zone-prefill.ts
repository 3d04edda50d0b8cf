/**
 * Pre-filling the personal and identity steps from the zone read off the trader's uploaded
 * identity document (MRZ_CHECK; lib/documents/zone-prefill.ts reads it). A value from the zone
 * only ever fills an empty field and is marked "from your document — please check" until the
 * trader confirms the step ("Save and continue"); what the trader typed is never replaced. Only
 * the confirmed step counts, so the `mrz_match` check at submit compares what the trader
 * confirmed, whoever typed it first.
 */
import { listCurrentDocuments } from "@/lib/db/queries/documents";
import { env } from "@/lib/env";
import { loadUploadedZone, type UploadedZone } from "@/lib/documents/zone-prefill";
import { countryOfMrzCode } from "./countries-alpha3";
import type { StepDraft } from "./drafts";
import type { StepId } from "./levels";
import { ofSavedIdentityKind } from "./requirements";

export type PrefillStep = "personal" | "identity_document";
export type StepValue = string | string[];

export type StepPrefill = {
  /** The values the form shows: the draft's, with empty fields filled from the zone. */
  values: Record<string, StepValue | undefined>;
  /** The fields showing a value from the zone the trader has not confirmed yet. */
  prefilled: string[];
  /** No zone read yet: the personal step may offer to upload the passport first. */
  offerUpload: boolean;
};

/** "ANNA<MARIA" → "Anna Maria": the zone spells names in capitals with fillers between words. */
function nameOf(zone: string): string {
  return zone
    .split("<")
    .filter(Boolean)
    .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
    .join(" ");
}

/** The zone's YYMMDD as an ISO date: a birth date lies in the past, an expiry in this century. */
function isoOf(yymmdd: string, kind: "birth" | "expiry", now: Date): string {
  const yy = Number(yymmdd.slice(0, 2));
  const rest = `-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
  const recent = `${2000 + yy}${rest}`;
  if (kind === "expiry") return recent;
  return recent > now.toISOString().slice(0, 10) ? `${1900 + yy}${rest}` : recent;
}

/** Where the name field ends: a zone whose names fill it may have cut the given names. */
const NAME_ROOM: Record<UploadedZone["format"], number> = { TD1: 30, TD2: 31, TD3: 39 };

/** What the zone says, as each step's form fields. */
export function zoneStepValues(
  zone: UploadedZone,
  now = new Date(),
): Record<PrefillStep, Record<string, StepValue>> {
  const z = zone.fields;
  const personal: Record<string, StepValue> = {};
  const identity: Record<string, StepValue> = {};
  const truncated = `${z.surnames}<<${z.givenNames}`.length >= NAME_ROOM[zone.format];
  if (z.surnames) personal.surnames = nameOf(z.surnames);
  if (z.givenNames && !truncated) personal.givenNames = nameOf(z.givenNames);
  personal.dateOfBirth = isoOf(z.dateOfBirth, "birth", now);
  const nationality = countryOfMrzCode(z.nationality);
  if (nationality) personal.nationalities = [nationality];

  const code = z.documentCode.charAt(0);
  if (code === "P") identity.documentKind = "passport";
  else if (zone.format !== "TD3" && "IAC".includes(code)) identity.documentKind = "id_card";
  if (z.documentNumber) identity.documentNumber = z.documentNumber.replace(/</g, "");
  const issuing = countryOfMrzCode(z.issuingState);
  if (issuing) identity.issuingCountry = issuing;
  identity.expiryDate = isoOf(z.expiryDate, "expiry", now);
  return { personal, identity_document: identity };
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  (typeof value === "string" && value.trim() === "") ||
  (Array.isArray(value) && value.every((v) => typeof v !== "string" || v.trim() === ""));

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The draft's values with the zone's in its empty fields. A field keeps its mark while it holds
 * the zone's value and the step is not confirmed (an autosave stored it, the trader did not
 * check it yet); once confirmed, or changed, it is the trader's.
 */
export function prefillStep(
  draft: Pick<StepDraft, "values" | "completed"> | undefined,
  suggested: Record<string, StepValue>,
): Pick<StepPrefill, "values" | "prefilled"> {
  const values = { ...(draft?.values ?? {}) } as Record<string, StepValue | undefined>;
  const prefilled: string[] = [];
  if (draft?.completed) return { values, prefilled };
  for (const [field, value] of Object.entries(suggested)) {
    if (isEmpty(values[field])) {
      values[field] = value;
      prefilled.push(field);
    } else if (same(values[field], value)) prefilled.push(field);
  }
  return { values, prefilled };
}

/** What a step's form shows, with the zone's values when MRZ_CHECK is on and a zone was read. */
export async function loadStepPrefill(
  caseId: string,
  step: PrefillStep,
  drafts: Partial<Record<StepId, StepDraft>>,
  /** Whether the case asks for an identity upload of ours (not when a vendor captures it). */
  identityAsked: boolean,
  now = new Date(),
): Promise<StepPrefill> {
  const draft = drafts[step];
  const unchanged: StepPrefill = {
    values: { ...(draft?.values ?? {}) } as StepPrefill["values"],
    prefilled: [],
    offerUpload: false,
  };
  if (!env().checks.mrz || draft?.completed) return unchanged;
  // Only the photos of the kind picked: an ID card's zone must not fill in a driving licence's
  // number and expiry once the trader tapped the licence.
  const documents = ofSavedIdentityKind(drafts, await listCurrentDocuments(caseId));
  const zone = await loadUploadedZone(caseId, documents);
  if (!zone) {
    const identityUploaded = documents.some((d) => d.documentType === "identity");
    return {
      ...unchanged,
      offerUpload: step === "personal" && identityAsked && !identityUploaded,
    };
  }
  return { ...prefillStep(draft, zoneStepValues(zone, now)[step]), offerUpload: false };
}
