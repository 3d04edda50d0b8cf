import { z } from "zod";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { getDocumentById } from "@/lib/db/queries/documents";
import { refusal } from "@/lib/inapp/api";
import { storage } from "@/lib/storage";
import { getStaff } from "@/lib/staff/console";

export const runtime = "nodejs";

/** Staff open a document through a presigned URL that lives 60 s; every opening is audited. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const staff = await getStaff();
  if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return refusal(404, "not_found");
  const document = await getDocumentById(id);
  if (!document || document.status === "pending") return refusal(404, "not_found");
  await appendAuditEvent({
    actorType: "staff",
    actorId: staff.id,
    action: "document.viewed",
    caseId: document.caseId,
    data: { documentId: document.id },
  });
  const url = await storage().presignGet(document.storageKey, {
    ttlSeconds: 60,
    contentType: document.contentType ?? undefined,
    filename: `${document.documentType}-${document.side}.${document.contentType === "application/pdf" ? "pdf" : "jpg"}`,
  });
  return new Response(null, {
    status: 302,
    headers: { Location: url, "Cache-Control": "private, no-store" },
  });
}
