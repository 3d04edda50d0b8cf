import { z } from "zod";
import { isAppError } from "@/lib/errors";
import { refusal, toErrorResponse } from "@/lib/http/json";
import { withRequestId } from "@/lib/http/request-id";
import { exportSubjectData } from "@/lib/retention/subject-access";
import { getStaff } from "@/lib/staff/console";

export const runtime = "nodejs";

/** Everything held about one trader, as a ZIP (admins; audited). docs/lifecycle.md#retention */
export const GET = withRequestId(async function GET(
  _request: Request,
  { params }: { params: Promise<{ id: string }> },
) {
  try {
    const staff = await getStaff();
    if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
    const { id } = await params;
    if (!z.uuid().safeParse(id).success) return refusal(404, "not_found");
    const { zip } = await exportSubjectData(staff, id);
    return new Response(new Uint8Array(zip), {
      headers: {
        "Cache-Control": "private, no-store",
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="trader-${id}.zip"`,
      },
    });
  } catch (error) {
    if (isAppError(error) && error.code === "FORBIDDEN")
      return refusal(403, "forbidden", error.publicMessage);
    return toErrorResponse(error, "admin.subject_access");
  }
});
