import { withTraderCase } from "@/lib/inapp/api";
import { screenMessage } from "@/lib/live/screen-state";

export const runtime = "nodejs";

/** What the trader's status screen shows, as its version, for the screen's polling fallback. */
export async function GET(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "status.get",
    async ({ kycCase }) =>
      Response.json(await screenMessage(kycCase), {
        headers: { "Cache-Control": "no-store" },
      }),
    { mutates: false },
  );
}
