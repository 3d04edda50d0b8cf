import { exportAuditLogCsv } from "@/lib/audit/console";
import { parseAuditLogQuery } from "@/lib/audit/log-query";
import { refusal, toErrorResponse } from "@/lib/http/json";
import { withRequestId } from "@/lib/http/request-id";
import { getStaff } from "@/lib/staff/console";
import { hasRole } from "@/lib/staff/auth";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The audit log's filtered rows as CSV, for admins; the export is audited. */
export const GET = withRequestId(async function GET(request: Request) {
  try {
    const staff = await getStaff();
    if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
    if (!hasRole(staff, "admin")) return refusal(403, "forbidden", "only admins see the audit log");
    const query = parseAuditLogQuery(Object.fromEntries(new URL(request.url).searchParams));
    const { csv, truncated } = await exportAuditLogCsv(query, staff);
    return new Response(csv, {
      headers: {
        "Cache-Control": "private, no-store",
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="audit-log.csv"`,
        ...(truncated && { "X-Export-Truncated": "1" }),
      },
    });
  } catch (error) {
    return toErrorResponse(error, "admin.audit_export");
  }
});
