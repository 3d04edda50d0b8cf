/**
 * The machine-readable zone of an identity document, read right after its upload so the trader's
 * personal and identity steps can be pre-filled from it (MRZ_CHECK; lib/kyc/zone-prefill.ts shows
 * it). Never on the trader's request: the upload's confirm schedules it after the response
 * (lib/jobs/after-response.ts) and the worker's sweep catches up on any upload that was not. The
 * read is the checks' own (mrz-read.ts: a worker thread, under the OCR limit, not the confirms'), and a
 * zone counts only when every check digit agreed; it is stored encrypted under the case key, and
 * a value taken from it counts only once the trader confirmed the step.
 */
import { z } from "zod";
import {
  getCaseDocument,
  listIdentityImagesAwaitingZoneRead,
  recordDocumentZoneRead,
} from "@/lib/db/queries/documents";
import type { DocumentRow } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { errorFacts } from "@/lib/errors";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { log } from "@/lib/log";
import { caseCipher } from "@/lib/security/case-keys";
import { MRZ_FORMATS, readMrz } from "./mrz-read";
import { readDocumentFile } from "./stored-file";

/** What is kept of a read zone (one schema for the reader here and the steps that show it). */
export const uploadedZoneSchema = z.object({
  format: z.enum(MRZ_FORMATS),
  fields: z.object({
    documentCode: z.string(),
    issuingState: z.string(),
    surnames: z.string(),
    givenNames: z.string(),
    documentNumber: z.string(),
    nationality: z.string(),
    dateOfBirth: z.string().regex(/^\d{6}$/),
    expiryDate: z.string().regex(/^\d{6}$/),
  }),
});
export type UploadedZone = z.infer<typeof uploadedZoneSchema>;

export type ZoneReadOutcome = "read" | "unreadable" | "not_needed" | "skipped";

/** Uploads older than this are no longer read by the sweep: the trader has moved on. */
const SWEEP_WINDOW_MS = 86_400_000;

/**
 * Reads the zone of one uploaded identity image once, when it can still help: the personal or
 * the identity step is not completed yet. Records the look either way, so it is never repeated.
 */
export async function readUploadedZone(
  caseId: string,
  documentId: string,
  now = new Date(),
): Promise<ZoneReadOutcome> {
  if (!env().checks.mrz) return "skipped";
  const row = await getCaseDocument(caseId, documentId);
  if (
    !row ||
    row.documentType !== "identity" ||
    row.status !== "accepted" ||
    row.replacedAt !== null ||
    row.zoneReadAt !== null ||
    !row.contentType?.startsWith("image/")
  )
    return "skipped";
  const drafts = await loadStepDrafts(caseId);
  if (drafts.personal?.completed && drafts.identity_document?.completed) {
    await recordDocumentZoneRead({ caseId, documentId, zoneRead: null, now });
    return "not_needed";
  }
  let zone: UploadedZone | null = null;
  try {
    const bytes = await readDocumentFile(row);
    const read = await readMrz(bytes);
    if (read.status === "read") zone = uploadedZoneSchema.parse(read);
  } catch (error) {
    // A pre-fill is a convenience: a failed read leaves the trader typing, as without it.
    log.warn("documents.zone_read_failed", { caseId, documentId, ...errorFacts(error) });
  }
  const sealed = zone ? (await caseCipher(caseId)).encryptJson(zone) : null;
  await recordDocumentZoneRead({ caseId, documentId, zoneRead: sealed, now });
  return zone ? "read" : "unreadable";
}

/** The worker's catch-up: identity uploads of the last day on open cases not looked at yet. */
export async function readPendingZones(now = new Date(), limit = 5): Promise<number> {
  if (!env().checks.mrz) return 0;
  const rows = await listIdentityImagesAwaitingZoneRead(
    new Date(now.getTime() - SWEEP_WINDOW_MS),
    limit,
  );
  for (const row of rows) await readUploadedZone(row.caseId, row.id, now);
  return rows.length;
}

/** The zone read from the case's current identity document, newest first; null when none. */
export async function loadUploadedZone(
  caseId: string,
  documents: readonly Pick<
    DocumentRow,
    "documentType" | "replacedAt" | "zoneRead" | "confirmedAt"
  >[],
): Promise<UploadedZone | null> {
  const sealed = documents
    .filter((d) => d.documentType === "identity" && d.replacedAt === null && d.zoneRead)
    .sort((a, b) => (b.confirmedAt?.getTime() ?? 0) - (a.confirmedAt?.getTime() ?? 0))[0]?.zoneRead;
  if (!sealed) return null;
  const parsed = (await caseCipher(caseId)).decryptJson(sealed, uploadedZoneSchema);
  return parsed.success ? parsed.data : null;
}
