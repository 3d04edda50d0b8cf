import { z } from "zod";
import { isAppError } from "@/lib/errors";
import { refusal } from "@/lib/http/json";
import { getLocale } from "next-intl/server";
import { getTranslations } from "@/lib/i18n/translations";
import { openDocument } from "@/lib/review/documents";
import { renderFileGonePage, wantsHtml } from "@/lib/review/file-gone-page";
import { getStaff } from "@/lib/staff/console";
import { withRequestId } from "@/lib/http/request-id";
import { contentDisposition } from "@/lib/storage/keys";

export const runtime = "nodejs";

/**
 * Staff open a document: the app decrypts it and sends it inline (the console's viewer loads it
 * as an image); never cached, never sniffed; every opening is audited.
 */
export const GET = withRequestId(async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
) {
  const staff = await getStaff();
  if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return refusal(404, "not_found");
  try {
    const file = await openDocument(staff, id);
    // Said in the officer's language: the Open link shows this answer in a tab of its own, as
    // a page (a browser asks for HTML); an API caller gets the JSON refusal.
    if (file.kind === "file_gone") {
      const message = (await getTranslations("DocumentViewer"))("fileGone");
      if (!wantsHtml(request)) return refusal(410, "file_gone", message);
      return new Response(renderFileGonePage(await getLocale(), message), {
        status: 410,
        headers: {
          "Content-Type": "text/html; charset=utf-8",
          "Cache-Control": "private, no-store",
          "Content-Security-Policy":
            "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        },
      });
    }
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
