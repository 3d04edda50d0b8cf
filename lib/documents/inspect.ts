/**
 * The confirm step's file check (issue 4, point 5): given the bytes of an upload and the content
 * type the trader's browser declared, decide whether the file may be stored, and produce the
 * bytes to store. Pure: no database, no storage — the caller stores `bytes` (never the upload
 * itself) under `sha256`, or deletes the upload and shows the localized message for `reason`.
 *
 * Order matters and is cheapest-first: size, then the real type from magic bytes (file-type),
 * then the declared type against it, then the expensive decode. The declared type is never
 * trusted to pick a decoder: an HTML page named photo.jpg is sniffed as what it is.
 *
 * The decode or parse runs under the server's one limit on concurrent document work
 * (work-limit.ts), each bounded in time and memory by its own module.
 *
 * Images are re-encoded (image-check.ts): what is stored is a JPEG we wrote, so metadata and any
 * appended payload of a polyglot are gone. PDFs are stored unchanged once pdf-check.ts finds
 * them clean. Quality scores and the perceptual hash are not part of this check: the automated
 * checks compute them from the stored JPEG after submit (analysis.ts).
 */
import { createHash } from "node:crypto";
import { fileTypeFromBuffer } from "file-type/core";
import { env } from "@/lib/env";
import { traced } from "@/lib/telemetry";
import { checkImage, MAX_INPUT_PIXELS } from "./image-check";
import { checkPdf } from "./pdf-check";
import { isUploadContentType, type UploadContentType, type UploadRefusal } from "./upload-contract";
import { withDocumentSlot } from "./work-limit";

/** The refusals that are about the file itself (the rest of UPLOAD_REFUSALS are the API's). */
export type FileRefusal = Extract<
  UploadRefusal,
  | "empty"
  | "too_large"
  | "unsupported_type"
  | "type_mismatch"
  | "corrupt"
  | "too_many_pixels"
  | "pdf_encrypted"
  | "pdf_active_content"
  | "pdf_too_many_pages"
>;

export type InspectLimits = {
  maxBytes: number;
  maxPdfPages: number;
  maxInputPixels: number;
};

export type Refused = {
  ok: false;
  reason: FileRefusal;
  /** For the log and the reviewer, never shown to the trader as is. */
  detail: string;
};

export type Accepted = {
  ok: true;
  /** What to store; for images this replaces the upload. */
  bytes: Buffer;
  contentType: "image/jpeg" | "application/pdf";
  /** Real type of the upload as sniffed (e.g. image/heic before conversion). */
  sourceType: UploadContentType;
  /** Hex SHA-256 of `bytes`. */
  sha256: string;
} & (
  | {
      kind: "image";
      /** Size of the stored JPEG (long edge ≤ 4000 px). */
      width: number;
      height: number;
    }
  | { kind: "pdf"; pages: number }
);

export type Inspection = Accepted | Refused;

/** Lowercase, drop parameters, fold aliases browsers send. */
export function normalizeContentType(declared: string): string {
  const type = (declared.split(";")[0] ?? "").trim().toLowerCase();
  if (type === "image/jpg" || type === "image/pjpeg") return "image/jpeg";
  // file-type calls HEIF files with HEVC brands image/heic and others image/heif; iOS declares
  // either for the same photo. Treat them as one type.
  if (type === "image/heic-sequence" || type === "image/heif-sequence") return "image/heif";
  return type;
}

function sameType(a: UploadContentType, b: UploadContentType): boolean {
  const family = (t: UploadContentType) => (t === "image/heic" ? "image/heif" : t);
  return family(a) === family(b);
}

export function defaultLimits(): InspectLimits {
  const { documents } = env();
  return {
    maxBytes: documents.maxBytes,
    maxPdfPages: documents.maxPdfPages,
    maxInputPixels: MAX_INPUT_PIXELS,
  };
}

function refuse(reason: FileRefusal, detail: string): Refused {
  return { ok: false, reason, detail };
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function inspectDocument(
  bytes: Buffer,
  declaredType: string,
  limits: InspectLimits = defaultLimits(),
): Promise<Inspection> {
  const attributes = {
    "kyc.document.declared_type": declaredType,
    "kyc.document.bytes": bytes.length,
  };
  return traced("kyc.document.inspect", attributes, async (span) => {
    const inspection = await inspect(bytes, declaredType, limits);
    span.setAttribute("kyc.document.ok", inspection.ok);
    return inspection;
  });
}

async function inspect(
  bytes: Buffer,
  declaredType: string,
  limits: InspectLimits,
): Promise<Inspection> {
  if (bytes.length === 0) return refuse("empty", "zero bytes");
  if (bytes.length > limits.maxBytes) {
    return refuse("too_large", `${bytes.length} bytes > ${limits.maxBytes}`);
  }

  const sniffed = await fileTypeFromBuffer(bytes);
  if (!sniffed || !isUploadContentType(sniffed.mime)) {
    return refuse("unsupported_type", `content is ${sniffed?.mime ?? "unrecognised"}`);
  }
  const realType = sniffed.mime;
  const declared = normalizeContentType(declaredType);
  if (!isUploadContentType(declared)) {
    return refuse("unsupported_type", `declared ${declared || "(none)"}`);
  }
  if (!sameType(declared, realType)) {
    return refuse("type_mismatch", `declared ${declared}, content is ${realType}`);
  }

  // The expensive part takes a slot of the global limit (work-limit.ts) for its whole run.
  return withDocumentSlot(() => checkContent(bytes, realType, limits));
}

async function checkContent(
  bytes: Buffer,
  realType: UploadContentType,
  limits: InspectLimits,
): Promise<Inspection> {
  if (realType === "application/pdf") {
    const pdf = await checkPdf(bytes, { maxPages: limits.maxPdfPages });
    if (!pdf.ok) return refuse(pdf.reason, pdf.detail);
    return {
      ok: true,
      kind: "pdf",
      bytes,
      contentType: "application/pdf",
      sourceType: realType,
      sha256: sha256(bytes),
      pages: pdf.pages,
    };
  }

  const image = await checkImage(bytes, {
    heif: realType === "image/heic" || realType === "image/heif",
    maxInputPixels: limits.maxInputPixels,
  });
  if (!image.ok) return refuse(image.reason, image.detail);
  return {
    ok: true,
    kind: "image",
    bytes: image.bytes,
    contentType: "image/jpeg",
    sourceType: realType,
    sha256: sha256(image.bytes),
    width: image.storedWidth,
    height: image.storedHeight,
  };
}
