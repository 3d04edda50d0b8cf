/**
 * `documents.quality`: what the server knows about a stored document, one JSON record written in
 * two steps and read by the automated checks (lib/checks/snapshot.ts) and the reviewer's case
 * file (rendered as is):
 * - at confirm (service.ts), the stored file: `sourceType` (the upload's real type, e.g.
 *   image/heic before conversion) and the stored JPEG's `width`/`height`, or a PDF's `pages`;
 *   for a selfie prompt, `burstFrames` (the frames side by side in the picture);
 * - by the checks after submit (analysis.ts): an image's scores (`brightness`, `blur`, `glare`)
 *   and the `issues` they mean, and for every document `usedByOtherTraders` (other traders'
 *   documents with the same bytes or the same picture — for compliance, never shown to the
 *   trader). A record without `usedByOtherTraders` has not been analysed yet.
 *
 * Reading never throws: a field written by an older version that does not parse reads as absent.
 */
import { z } from "zod";

export const lookalikeSchema = z.object({
  documentId: z.string(),
  caseId: z.string(),
  /** Same SHA-256 (true) or only a near perceptual hash (false). */
  exact: z.boolean().optional(),
});
export type Lookalike = z.infer<typeof lookalikeSchema>;

const optionalNumber = z.number().optional().catch(undefined);

export const documentQualitySchema = z.object({
  sourceType: z.string().optional().catch(undefined),
  width: optionalNumber,
  height: optionalNumber,
  pages: optionalNumber,
  /** A selfie prompt's picture: how many camera frames it holds side by side (upload-contract). */
  burstFrames: optionalNumber,
  brightness: optionalNumber,
  blur: optionalNumber,
  glare: optionalNumber,
  issues: z.array(z.string()).optional().catch(undefined),
  usedByOtherTraders: z.array(lookalikeSchema).optional().catch(undefined),
});
export type DocumentQuality = z.infer<typeof documentQualitySchema>;

/** What confirm records. */
export type StoredFileFacts = Pick<
  DocumentQuality,
  "sourceType" | "width" | "height" | "pages" | "burstFrames"
>;

/** What the analysis adds. */
export type DocumentAnalysis = Pick<DocumentQuality, "brightness" | "blur" | "glare"> & {
  issues: string[];
  usedByOtherTraders: Lookalike[];
};

export function readDocumentQuality(value: unknown): DocumentQuality {
  const parsed = documentQualitySchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

export function isAnalysed(quality: DocumentQuality): boolean {
  return quality.issues !== undefined && quality.usedByOtherTraders !== undefined;
}
