import { z } from "zod";
import { isAppError } from "@/lib/errors";
import { refusal, toErrorResponse } from "@/lib/http/json";
import { exportCaseEvidence } from "@/lib/review/evidence";
import { getLocale } from "next-intl/server";
import { evidenceWordsIn, renderEvidenceHtml } from "@/lib/review/evidence-html";
import { getStaff } from "@/lib/staff/console";
import { withRequestId } from "@/lib/http/request-id";
import { NONCE_HEADER } from "@/lib/http/request-headers";
import { pageNonce, stylesOnlyCsp } from "@/lib/http/security-headers";

export const runtime = "nodejs";

/** The case's evidence: JSON (a download) or, with ?format=html, a printable page. */
export const GET = withRequestId(async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
) {
  try {
    const staff = await getStaff();
    if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
    const { id } = await params;
    if (!z.uuid().safeParse(id).success) return refusal(404, "not_found");
    const format = new URL(request.url).searchParams.get("format") === "html" ? "html" : "json";
    // In the officer's console language: the page is read by people, the JSON by machines. Read
    // before the export, which is audited once built: nothing that can fail comes after it.
    const words = format === "html" ? await evidenceWordsIn(await getLocale()) : null;
    const evidence = await exportCaseEvidence(staff, id, format);
    const headers = { "Cache-Control": "private, no-store" };
    if (words) {
      const nonce = pageNonce(request.headers.get(NONCE_HEADER));
      return new Response(renderEvidenceHtml(evidence, words, nonce), {
        headers: {
          ...headers,
          "Content-Type": "text/html; charset=utf-8",
          "Content-Security-Policy": stylesOnlyCsp(nonce),
        },
      });
    }
    return new Response(JSON.stringify(evidence, null, 2), {
      headers: {
        ...headers,
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="case-${id}.json"`,
      },
    });
  } catch (error) {
    if (isAppError(error) && error.code === "FORBIDDEN")
      return refusal(403, "forbidden", error.publicMessage);
    return toErrorResponse(error, "admin.export");
  }
});
