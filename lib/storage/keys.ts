/**
 * Object keys. The server builds every key from two database ids and never from anything a client
 * sends (a file name, a path). Because the shape is this narrow (lowercase uuids, one fixed
 * prefix, one fixed suffix), a valid key cannot contain `..`, a leading `/`, percent-escapes or
 * anything else that could reach outside its case, on disk or in a bucket.
 *
 * Two keys per document: the upload key `cases/<caseId>/<documentId>` that the browser's signed
 * form may write to (until its policy expires, minutes after the confirm), and the verified key
 * `cases/<caseId>/<documentId>.verified-<attempt>` where a confirm stores the bytes it checked
 * (`.verified` alone in files stored before attempts were named). No upload form is ever issued
 * for a verified key, so a replayed form cannot replace a checked document; and each confirm
 * writes its own, so two confirms racing on one upload never overwrite each other's bytes.
 */
import { AppError } from "@/lib/errors";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const UUID_PATTERN = new RegExp(`^${UUID}$`, "i");
export const DOCUMENT_KEY_PATTERN = new RegExp(
  `^cases/(${UUID})/(${UUID})(\\.verified(?:-[0-9a-f]{16})?)?$`,
);
const ATTEMPT_PATTERN = /^[0-9a-f]{16}$/;
const UPLOAD_KEY_PATTERN = new RegExp(`^cases/(${UUID})/(${UUID})$`);

export function documentKey(caseId: string, documentId: string): string {
  if (!UUID_PATTERN.test(caseId) || !UUID_PATTERN.test(documentId)) {
    throw new AppError("BAD_REQUEST", "case and document ids must be uuids");
  }
  return `cases/${caseId.toLowerCase()}/${documentId.toLowerCase()}`;
}

/** Where a confirm (`attempt`: 16 hex digits of its own) stores the checked bytes. */
export function verifiedDocumentKey(caseId: string, documentId: string, attempt: string): string {
  if (!ATTEMPT_PATTERN.test(attempt)) throw new AppError("BAD_REQUEST", "invalid attempt");
  return `${documentKey(caseId, documentId)}.verified-${attempt}`;
}

/** Upload forms are signed for upload keys only. */
export function assertUploadKey(key: unknown): string {
  if (typeof key !== "string" || !UPLOAD_KEY_PATTERN.test(key))
    throw new AppError("BAD_REQUEST", "invalid storage key");
  return key;
}

/** Whether the key is an upload key (the only shape a signed upload form targets). */
export function isUploadKey(key: unknown): key is string {
  return typeof key === "string" && UPLOAD_KEY_PATTERN.test(key);
}

export function isDocumentKey(key: unknown): key is string {
  return typeof key === "string" && DOCUMENT_KEY_PATTERN.test(key);
}

/** Every driver calls this first: a key of any other shape never reaches a path or a bucket. */
export function assertDocumentKey(key: unknown): string {
  if (!isDocumentKey(key)) throw new AppError("BAD_REQUEST", "invalid storage key");
  return key;
}

/** The ids a key was built from (e.g. to check it belongs to the case at hand). */
export function parseDocumentKey(key: string): { caseId: string; documentId: string } {
  const match = DOCUMENT_KEY_PATTERN.exec(key);
  if (!match?.[1] || !match[2]) throw new AppError("BAD_REQUEST", "invalid storage key");
  return { caseId: match[1], documentId: match[2] };
}

/**
 * A MIME type of the plain `type/subtype` shape. Anything with parameters, spaces, quotes or
 * line breaks is refused, so the value is safe inside a signed string and a response header.
 */
const CONTENT_TYPE_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

export function assertContentType(value: unknown): string {
  if (typeof value !== "string" || !CONTENT_TYPE_PATTERN.test(value)) {
    throw new AppError("BAD_REQUEST", "invalid content type");
  }
  return value;
}

/**
 * `attachment` with a file name: an ASCII fallback for old clients plus the RFC 5987 UTF-8 form.
 * The name is the reviewer-facing label only; it never becomes a key or a path.
 */
export function attachmentDisposition(filename: string | undefined): string {
  return contentDisposition("attachment", filename);
}

/** The same, as `inline` (shown in the browser, e.g. the console's document view) or `attachment`. */
export function contentDisposition(
  kind: "inline" | "attachment",
  filename: string | undefined,
): string {
  if (!filename) return kind;
  const cleaned = filename.replace(/[\u0000-\u001f\u007f/\\]/g, "").slice(0, 200);
  const ascii = cleaned.replace(/[^A-Za-z0-9._ -]/g, "_").trim() || "document";
  const encoded = encodeURIComponent(cleaned).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function assertTtl(seconds: number, max: number, what: string): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > max) {
    throw new AppError("BAD_REQUEST", `${what} must be 1–${max} seconds`);
  }
  return seconds;
}
