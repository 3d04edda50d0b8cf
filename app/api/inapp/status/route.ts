import { withTraderCase } from "@/lib/inapp/api";

export const runtime = "nodejs";

/** The trader's own case status, for the status screen's polling fallback. */
export async function GET(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "status.get",
    async ({ kycCase }) =>
      Response.json(
        { status: kycCase.status, updatedAt: kycCase.updatedAt },
        { headers: { "Cache-Control": "no-store" } },
      ),
    { mutates: false },
  );
}
