/**
 * A document opened by staff: audited, then handed out through a 60-second presigned URL (the
 * storage driver's), never streamed through the app. Pending uploads are not documents yet.
 */
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { getDocumentById } from "@/lib/db/queries/documents";
import { AppError } from "@/lib/errors";
import { storage } from "@/lib/storage";
import type { Reviewer } from "./types";

export async function openDocument(staff: Reviewer, documentId: string): Promise<string> {
  const document = await getDocumentById(documentId);
  if (!document || document.status === "pending")
    throw new AppError("NOT_FOUND", "no such document", { reason: "not_found" });
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: "document.viewed",
    caseId: document.caseId,
    data: { documentId: document.id },
  });
  return storage().presignGet(document.storageKey, {
    ttlSeconds: 60,
    contentType: document.contentType ?? undefined,
    filename: `${document.documentType}-${document.side}.${document.contentType === "application/pdf" ? "pdf" : "jpg"}`,
  });
}
