/**
 * Document uploads for the trader's case, from the upload URL to the verdict:
 *
 * 1. `startUpload`: checks the request (type, side, declared size and content type, the case
 *    accepts documents, the per-case file limit), records a pending row and returns where the
 *    browser posts the file (a presigned S3 POST, or our own signed local URL). The storage key
 *    is ours (`cases/<caseId>/<documentId>`), never the file's name.
 * 2. The browser uploads straight to storage (no byte passes through us in `s3` mode).
 * 3. `confirmUpload`: re-checks what was actually stored (size, magic bytes, full decode under
 *    a pixel limit, PDF safety), replaces the object with a clean re-encoded copy (no EXIF/GPS),
 *    records quality scores, hashes and look-alikes used by other traders, and supersedes the
 *    previous version. A refused file leaves no object and no row behind.
 *
 * Abandoned uploads (a URL issued, never confirmed) are purged once their URL expired.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  confirmDocument,
  countCurrentCaseDocuments,
  deletePendingDocument,
  findDocumentsOfOtherTraders,
  getCaseDocument,
  insertPendingDocument,
  listAbandonedUploads,
} from "@/lib/db/queries/documents";
import type { KycCase } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { DOCUMENT_TYPES } from "@/lib/inapp/params";
import { EDITABLE_STATUSES } from "@/lib/kyc/case-state";
import { loadActionRequest } from "@/lib/kyc/submission";
import { log } from "@/lib/log";
import { encryptField } from "@/lib/security/encryption";
import { documentKey, storage as getStorage, verifiedDocumentKey } from "@/lib/storage";
import { inspectDocument } from "./inspect";
import { NEAR_DUPLICATE_MAX_DISTANCE } from "./quality";

export const UPLOAD_CONTENT_TYPES = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/heic",
  "image/heif",
  "application/pdf",
] as const;

/** Perceptual-hash distance (bits of 64) under which two images count as the same photo. */
export const SAME_IMAGE_DISTANCE = NEAR_DUPLICATE_MAX_DISTANCE;
/** How long after its URL expired a pending upload may still be confirmed. */
const CONFIRM_GRACE_MS = 60_000;

export type Refusal =
  | "bad_request"
  | "not_editable"
  | "unsupported_type"
  | "too_large"
  | "empty"
  | "too_many_files"
  | "not_found"
  | "not_uploaded"
  | "expired"
  | (string & {});

export type UploadOutcome<T> =
  { ok: true; value: T } | { ok: false; status: number; reason: Refusal };

const refuse = (status: number, reason: Refusal) => ({ ok: false as const, status, reason });

const startSchema = z.object({
  documentType: z.enum(DOCUMENT_TYPES),
  side: z.enum(["page", "front", "back"]),
  contentType: z.string().max(100),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  fileName: z.string().max(255).optional(),
});

type CaseRef = Pick<KycCase, "id" | "status" | "level">;

/**
 * Documents are accepted while the trader can still change the case; after a request for more
 * or a retry rejection, only the documents (and steps' documents) that were named.
 */
async function acceptsDocuments(kycCase: CaseRef, documentType: string): Promise<boolean> {
  if (!EDITABLE_STATUSES.has(kycCase.status)) return false;
  const request = await loadActionRequest(kycCase);
  if (!request && kycCase.status !== "action_required") return true;
  return Boolean(
    request?.items.some(
      (i) =>
        (i.kind === "document" && i.documentType === documentType) ||
        (i.kind === "step" &&
          ((i.step === "identity_document" && documentType === "identity") ||
            (i.step === "proof_of_address" && documentType === "address") ||
            (i.step === "source_of_funds" && documentType === "additional"))),
    ),
  );
}

export async function startUpload(
  kycCase: CaseRef,
  input: unknown,
  now = new Date(),
): Promise<
  UploadOutcome<{
    documentId: string;
    upload: { method: "POST"; url: string; fields: Record<string, string> };
    expiresAt: string;
  }>
> {
  const parsed = startSchema.safeParse(input);
  if (!parsed.success) return refuse(400, "bad_request");
  const { documentType, side, contentType, size, fileName } = parsed.data;
  if (documentType !== "identity" && side !== "page") return refuse(400, "bad_request");
  const limits = env().storage;
  if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(contentType))
    return refuse(415, "unsupported_type");
  if (size === 0) return refuse(400, "empty");
  if (size > limits.uploadMaxBytes) return refuse(413, "too_large");
  if (!(await acceptsDocuments(kycCase, documentType))) return refuse(409, "not_editable");

  await purgeAbandonedUploads(now);
  if ((await countCurrentCaseDocuments(kycCase.id)) >= limits.maxFilesPerCase)
    return refuse(409, "too_many_files");

  const documentId = randomUUID();
  const key = documentKey(kycCase.id, documentId);
  const ttl = limits.uploadUrlTtlSeconds;
  const expiresAt = new Date(now.getTime() + ttl * 1000);
  await insertPendingDocument({
    id: documentId,
    caseId: kycCase.id,
    documentType,
    side,
    storageKey: key,
    declaredType: contentType,
    originalName: fileName ? encryptField(fileName, kycCase.id) : null,
    uploadExpiresAt: expiresAt,
  });
  const upload = await getStorage().createUpload({
    key,
    contentType,
    maxBytes: limits.uploadMaxBytes,
    expiresInSeconds: ttl,
  });
  return {
    ok: true,
    value: {
      documentId,
      upload: { method: "POST", url: upload.url, fields: upload.fields },
      expiresAt: expiresAt.toISOString(),
    },
  };
}

export type ConfirmResult = {
  documentId: string;
  state: "accepted" | "retake";
  issues: string[];
};

async function discard(documentId: string, key: string): Promise<void> {
  await deleteQuietly(key);
  await deletePendingDocument(documentId);
}

export async function confirmUpload(
  kycCase: CaseRef,
  traderId: string,
  documentId: string,
  now = new Date(),
): Promise<UploadOutcome<ConfirmResult>> {
  if (!z.uuid().safeParse(documentId).success) return refuse(404, "not_found");
  const row = await getCaseDocument(kycCase.id, documentId);
  if (!row) return refuse(404, "not_found");
  // A replayed confirm changes nothing and answers what the first one decided.
  if (row.status !== "pending")
    return {
      ok: true,
      value: { documentId, state: row.status, issues: row.reason ? [row.reason] : [] },
    };
  if (!(await acceptsDocuments(kycCase, row.documentType))) return refuse(409, "not_editable");

  const storage = getStorage();
  const limits = env().storage;
  const head = await storage.head(row.storageKey);
  if (!head) {
    if (row.uploadExpiresAt.getTime() + CONFIRM_GRACE_MS < now.getTime()) {
      await discard(row.id, row.storageKey);
      return refuse(410, "expired");
    }
    return refuse(409, "not_uploaded");
  }
  // The POST policy is not trusted alone (and local S3 emulators ignore it).
  if (head.size > limits.uploadMaxBytes) {
    await discard(row.id, row.storageKey);
    return refuse(413, "too_large");
  }
  const bytes = await storage.get(row.storageKey, { maxBytes: limits.uploadMaxBytes });
  const verdict = await inspectDocument(bytes, row.declaredType);
  if (!verdict.ok) {
    await discard(row.id, row.storageKey);
    log.info("documents.refused", { reason: verdict.reason, documentType: row.documentType });
    return refuse(422, verdict.reason);
  }
  // The checked bytes go under a key of their own that no upload form can target: the browser's
  // presigned form stays valid for minutes after this confirm, and a replay of it must not
  // replace what was checked. The upload key is then emptied.
  const storedKey = verifiedDocumentKey(kycCase.id, row.id);
  await storage.put(storedKey, verdict.bytes, verdict.contentType);

  const phash = verdict.kind === "image" ? verdict.phash : null;
  const issues: string[] = verdict.kind === "image" ? verdict.issues : [];
  const lookalikes = await findDocumentsOfOtherTraders({
    traderId,
    sha256: verdict.sha256,
    phash,
    maxDistance: SAME_IMAGE_DISTANCE,
  });
  const confirmed = await confirmDocument({
    id: row.id,
    caseId: kycCase.id,
    traderId,
    status: "accepted",
    editable: EDITABLE_STATUSES,
    storageKey: storedKey,
    contentType: verdict.contentType,
    sizeBytes: verdict.bytes.length,
    sha256: verdict.sha256,
    phash,
    quality: {
      ...(verdict.kind === "image"
        ? { ...verdict.scores, width: verdict.width, height: verdict.height }
        : { pages: verdict.pages }),
      sourceType: verdict.sourceType,
      issues,
      // For compliance only: never shown to the trader.
      usedByOtherTraders: lookalikes,
    },
    reason: null,
    now,
  });
  if (confirmed === "not_editable") {
    // The case was submitted while this file was being checked: it is not part of the case.
    await deleteQuietly(storedKey);
    await discard(row.id, row.storageKey);
    return refuse(409, "not_editable");
  }
  if (confirmed === "pending_lost") {
    const current = await getCaseDocument(kycCase.id, documentId);
    if (!current || current.status === "pending") return refuse(409, "not_uploaded");
    // A concurrent confirm of the same upload won and stored the same checked bytes.
    return { ok: true, value: { documentId, state: current.status, issues } };
  }
  await deleteQuietly(row.storageKey);
  return { ok: true, value: { documentId, state: "accepted", issues } };
}

async function deleteQuietly(key: string): Promise<void> {
  await getStorage()
    .delete(key)
    .catch((error: unknown) =>
      log.warn("documents.delete_failed", {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
}

/** Deletes uploads whose URL expired unconfirmed: their objects, then their rows. */
export async function purgeAbandonedUploads(now = new Date()): Promise<number> {
  const stale = await listAbandonedUploads(new Date(now.getTime() - CONFIRM_GRACE_MS));
  for (const row of stale) await discard(row.id, row.storageKey);
  return stale.length;
}
