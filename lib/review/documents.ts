/**
 * A document opened by staff: read from storage and decrypted here (stored files are sealed
 * under the case key, so a presigned storage URL would hand out ciphertext), audited, then sent
 * by the route as the response body. Pending uploads are not documents yet.
 */
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { getDocumentById } from "@/lib/db/queries/documents";
import { listErasureRequests } from "@/lib/db/queries/retention";
import { readDocumentFile } from "@/lib/documents/stored-file";
import { AppError, errorFacts, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { storage } from "@/lib/storage";
import type { Reviewer } from "./types";

export type OpenedDocument =
  | { kind: "file"; bytes: Buffer; contentType: string; filename: string }
  /**
   * The row stays but its stored object is gone: an erasure the storage stopped part-way had
   * deleted it (the case's rows rolled back). Nothing left to show, so nothing is audited.
   */
  | { kind: "file_gone" };

export async function openDocument(staff: Reviewer, documentId: string): Promise<OpenedDocument> {
  const document = await getDocumentById(documentId);
  if (!document || document.status === "pending")
    throw new AppError("NOT_FOUND", "no such document", { reason: "not_found" });
  const bytes = await readDocumentFile(document).catch((error: unknown) => {
    if (!isAppError(error) || error.code !== "NOT_FOUND") throw error;
    log.warn("review.document_file_gone", { caseId: document.caseId, documentId: document.id });
    return null;
  });
  if (!bytes) return { kind: "file_gone" };
  // Audited once the file was read, before a byte of it leaves: no record, no file.
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: "document.viewed",
    caseId: document.caseId,
    data: { documentId: document.id },
  });
  const pdf = document.contentType === "application/pdf";
  return {
    kind: "file",
    bytes,
    contentType: document.contentType ?? "application/octet-stream",
    filename: `${document.documentType}-${document.side}.${pdf ? "pdf" : "jpg"}`,
  };
}

/**
 * Which of the case's documents have no stored file any more. Only an erasure the storage stopped
 * part-way leaves a row whose file is gone, so the storage is asked only once such an erasure was
 * recorded for the trader; a storage that cannot answer leaves the viewer to say so on its own.
 */
export async function documentsWithoutFile(
  traderId: string,
  documents: readonly { id: string; storageKey: string }[],
): Promise<string[]> {
  const requests = await listErasureRequests(traderId);
  if (!requests.some((r) => r.outcome === "failed")) return [];
  const stored = await Promise.all(
    documents.map((d) =>
      storage()
        .head(d.storageKey)
        .then(
          (info) => info !== null,
          (error: unknown) => {
            log.warn("review.document_head_failed", { documentId: d.id, ...errorFacts(error) });
            return true;
          },
        ),
    ),
  );
  return documents.filter((_, i) => !stored[i]).map((d) => d.id);
}
