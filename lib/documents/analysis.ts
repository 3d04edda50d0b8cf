/**
 * What the automated checks learn from a case's stored documents, off the trader's request path:
 * an image's quality scores and verdict and its perceptual hash, and for every document which
 * other traders' documents are the same file (SHA-256) or the same picture (dHash within
 * NEAR_DUPLICATE_MAX_DISTANCE bits). lib/checks/run.ts runs it before each check run; the result
 * is merged into `documents.quality` and `documents.phash` (stored-quality.ts), where the checks
 * `upload_quality` and `duplicate_image` and the reviewer's case file read it.
 *
 * Why not at confirm: the trader waits for the confirm, and its one decode + re-encode is all it
 * needs to store a clean file; a second decode for the quality raster made it 0.7–0.8 × a bare
 * re-encode instead of ~0.95 × (docs/benchmarks.md, "Document check"). The trader still gets the
 * quality verdict before uploading: the upload screen scores the photo in the browser with the
 * same thresholds (client-image.ts).
 *
 * A document is analysed once: its stored bytes never change. Look-alikes are the documents of
 * other traders present at that moment with a hash; one uploaded later is found when its own case
 * is checked, so of two cases sharing a picture the one checked last carries the finding.
 */
import sharp from "sharp";
import {
  findDocumentsOfOtherTraders,
  listCurrentDocuments,
  recordDocumentAnalysis,
} from "@/lib/db/queries/documents";
import type { DocumentRow } from "@/lib/db/schema";
import { readDocumentFile } from "./stored-file";
import { readMrz, type MrzRead } from "./mrz-read";
import { decodeOptions, MAX_INPUT_PIXELS, SHARP_TIMEOUT_SECONDS } from "./image-check";
import {
  NEAR_DUPLICATE_MAX_DISTANCE,
  qualityVerdict,
  SCORE_LONG_EDGE,
  scoreColourRaster,
  type QualityIssue,
  type QualityScores,
} from "./quality";
import { isAnalysed, readDocumentQuality, type DocumentAnalysis } from "./stored-quality";
import { withDocumentSlot } from "./work-limit";

export type ImageQuality = { scores: QualityScores; issues: QualityIssue[]; phash: string };

/**
 * Scores and hash of an image, from a raster fitted to SCORE_LONG_EDGE — the size the browser
 * scores at. For a JPEG, libjpeg decodes straight at 1/2, 1/4 or 1/8 scale (shrink-on-load), so a
 * 12 MP photo costs about a third of a full decode.
 */
export async function imageQuality(image: Buffer): Promise<ImageQuality> {
  const options = decodeOptions(MAX_INPUT_PIXELS);
  const meta = await sharp(image, options).metadata();
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  // Transparency reads as paper (white), as the stored JPEG has it (image-check.ts): its
  // transparent pixels are black underneath, and scored as they are they call a page too dark.
  const { data, info } = await sharp(image, options)
    .flatten({ background: "#ffffff" })
    .resize({
      width: SCORE_LONG_EDGE,
      height: SCORE_LONG_EDGE,
      fit: "inside",
      withoutEnlargement: true,
    })
    .timeout({ seconds: SHARP_TIMEOUT_SECONDS })
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  const scored = scoreColourRaster(data, info.width, info.height, info.channels);
  const scores: QualityScores = { width, height, ...scored.scores };
  return { scores, issues: qualityVerdict(scores), phash: scored.phash };
}

/**
 * Analyses every current document of the case that was not analysed yet. Throws when a stored
 * file cannot be read (storage down): the check run fails, is recorded and retried by the sweep.
 */
export async function analyzeCaseDocuments(caseId: string, traderId: string): Promise<number> {
  const pending = (await listCurrentDocuments(caseId)).filter(
    (d) => d.status !== "pending" && !isAnalysed(readDocumentQuality(d.quality)),
  );
  for (const document of pending) {
    let phash: string | null = null;
    let analysis: Omit<DocumentAnalysis, "usedByOtherTraders"> = { issues: [] };
    if (document.contentType?.startsWith("image/")) {
      const bytes = await readDocumentFile(document);
      // The stored JPEG is ours, but this also runs in the app server (after a submit answered):
      // it shares the limit with the confirms.
      const quality = await withDocumentSlot(() => imageQuality(bytes));
      const { brightness, blur, glare } = quality.scores;
      analysis = { brightness, blur, glare, issues: quality.issues };
      phash = quality.phash;
    }
    const usedByOtherTraders = document.sha256
      ? await findDocumentsOfOtherTraders({
          traderId,
          sha256: document.sha256,
          phash,
          maxDistance: NEAR_DUPLICATE_MAX_DISTANCE,
        })
      : [];
    await recordDocumentAnalysis({
      id: document.id,
      phash,
      analysis: { ...analysis, usedByOtherTraders },
    });
  }
  return pending.length;
}

/** Which side carries the zone: the data page of a passport, the back of an identity card. */
const ZONE_SIDES = ["page", "back", "front"];

/** How much a side's result says: a zone that reads, a zone with bad check digits, no zone. */
function weight(read: MrzRead): number {
  if (read.status === "read") return 2;
  return read.reason === "check_digits" ? 1 : 0;
}

/**
 * The document's zone from its sides' results: a side that reads wins; otherwise the most telling
 * failure, so a card's back whose check digits disagree is reported as such whatever the front
 * (which has no zone) said, and never hidden behind it. Null when there was no side to read.
 */
export function combineSideReads(reads: readonly MrzRead[]): MrzRead | null {
  let best: MrzRead | null = null;
  for (const read of reads) if (!best || weight(read) > weight(best)) best = read;
  return best;
}

/**
 * The machine-readable zone of the case's identity document, for the `mrz_match` check:
 * undefined when the document kind has none (a driving licence), null when no image of it is
 * stored (a PDF), else the sides' results combined (combineSideReads).
 */
export async function readIdentityMrz(
  documents: readonly DocumentRow[],
  documentKind: string | undefined,
): Promise<MrzRead | null | undefined> {
  if (documentKind !== "passport" && documentKind !== "id_card") return undefined;
  const images = documents
    .filter(
      (d) =>
        d.documentType === "identity" &&
        d.status !== "pending" &&
        d.replacedAt === null &&
        d.contentType?.startsWith("image/"),
    )
    .sort((a, b) => ZONE_SIDES.indexOf(a.side) - ZONE_SIDES.indexOf(b.side));
  const reads: MrzRead[] = [];
  for (const document of images) {
    const bytes = await readDocumentFile(document);
    const read = await readMrz(bytes);
    reads.push(read);
    // A zone that reads cannot be outweighed: the other sides need no OCR.
    if (read.status === "read") break;
  }
  return combineSideReads(reads);
}
