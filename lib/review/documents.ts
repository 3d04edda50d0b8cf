/**
 * A document opened by staff: read from storage and decrypted here (stored files are sealed
 * under the case key, so a presigned storage URL would hand out ciphertext), audited, then sent
 * by the route as the response body. Pending uploads are not documents yet.
 */
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { getDocumentById } from "@/lib/db/queries/documents";
import { readDocumentFile } from "@/lib/documents/stored-file";
import { AppError } from "@/lib/errors";
import type { Reviewer } from "./types";

export type OpenedDocument = { bytes: Buffer; contentType: string; filename: string };

export async function openDocument(staff: Reviewer, documentId: string): Promise<OpenedDocument> {
  const document = await getDocumentById(documentId);
  if (!document || document.status === "pending")
    throw new AppError("NOT_FOUND", "no such document", { reason: "not_found" });
  const bytes = await readDocumentFile(document);
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
    bytes,
    contentType: document.contentType ?? "application/octet-stream",
    filename: `${document.documentType}-${document.side}.${pdf ? "pdf" : "jpg"}`,
  };
}
