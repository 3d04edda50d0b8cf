import { withTraderCase } from "@/lib/inapp/api";
import { statusMessage } from "@/lib/live/status-message";

export const runtime = "nodejs";

/** The trader's own case status, for the status screen's polling fallback. */
export async function GET(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "status.get",
    async ({ kycCase }) =>
      Response.json(statusMessage(kycCase.status, kycCase.updatedAt), {
        headers: { "Cache-Control": "no-store" },
      }),
    { mutates: false },
  );
}
