import { z } from "zod";
import { isAppError } from "@/lib/errors";
import { refusal } from "@/lib/http/json";
import { withRequestId } from "@/lib/http/request-id";
import { getStaff } from "@/lib/staff/console";
import { openVendorReport } from "@/lib/vendors/verification";

export const runtime = "nodejs";

/** The vendor's own report of the case (its PDF), fetched from the vendor; every opening audited. */
export const GET = withRequestId(async function GET(
  _request: Request,
  { params }: { params: Promise<{ id: string }> },
) {
  const staff = await getStaff();
  if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return refusal(404, "not_found");
  try {
    const report = await openVendorReport(staff, id);
    return new Response(Buffer.from(report.body), {
      headers: {
        "Content-Type": report.contentType,
        "Content-Disposition": `inline; filename="${report.vendor}-report.pdf"`,
        "Cache-Control": "private, no-store",
      },
    });
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") return refusal(404, "not_found");
    if (isAppError(error)) return refusal(502, "vendor_unavailable", error.publicMessage);
    throw error;
  }
});
