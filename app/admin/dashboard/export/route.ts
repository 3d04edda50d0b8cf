import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { refusal, toErrorResponse } from "@/lib/http/json";
import { withRequestId } from "@/lib/http/request-id";
import {
  dashboardFigureSchema,
  exportDashboardFigure,
  parseDashboardPeriod,
} from "@/lib/review/dashboard";
import { getStaff } from "@/lib/staff/console";

export const runtime = "nodejs";

/** The rows behind one dashboard figure as CSV (`?figure=…&from=…&to=…`). */
export const GET = withRequestId(async function GET(request: Request) {
  try {
    const staff = await getStaff();
    if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
    const params = new URL(request.url).searchParams;
    const figure = dashboardFigureSchema.safeParse(params.get("figure"));
    if (!figure.success) return refusal(400, "bad_request", "unknown figure");
    const period = parseDashboardPeriod(Object.fromEntries(params));
    const { filename, csv } = await exportDashboardFigure(
      staff,
      figure.data,
      period,
      env().reviewTimeHours,
    );
    return new Response(csv, {
      headers: {
        "Cache-Control": "private, no-store",
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${filename}"`,
      },
    });
  } catch (error) {
    if (isAppError(error) && error.code === "FORBIDDEN")
      return refusal(403, "forbidden", error.publicMessage);
    return toErrorResponse(error, "admin.dashboard_export");
  }
});
