import { z } from "zod";
import { isAppError } from "@/lib/errors";
import { refusal } from "@/lib/http/json";
import { getTranslations } from "@/lib/i18n/translations";
import { openDocument } from "@/lib/review/documents";
import { getStaff } from "@/lib/staff/console";
import { withRequestId } from "@/lib/http/request-id";
import { contentDisposition } from "@/lib/storage/keys";

export const runtime = "nodejs";

/**
 * Staff open a document: the app decrypts it and sends it inline (the console's viewer loads it
 * as an image); never cached, never sniffed; every opening is audited.
 */
export const GET = withRequestId(async function GET(
  _request: Request,
  { params }: { params: Promise<{ id: string }> },
) {
  const staff = await getStaff();
  if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return refusal(404, "not_found");
  try {
    const file = await openDocument(staff, id);
    // Said in the officer's language: the Open link shows this answer in a tab of its own.
    if (file.kind === "file_gone")
      return refusal(410, "file_gone", (await getTranslations("DocumentViewer"))("fileGone"));
    return new Response(new Uint8Array(file.bytes), {
      status: 200,
      headers: {
        "Content-Type": file.contentType,
        "Content-Length": String(file.bytes.length),
        "Content-Disposition": contentDisposition("inline", file.filename),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    if (isAppError(error) && (error.code === "NOT_FOUND" || error.code === "GONE"))
      return refusal(404, "not_found");
    throw error;
  }
});
