import { redeemHandoffResponse } from "@/lib/inapp/handoff";
import { withRequestId } from "@/lib/http/request-id";

export const runtime = "nodejs";

/** The confirmation page's button: redeems the phone-handoff link (see lib/inapp/handoff.ts). */
export const POST = withRequestId(async function POST(request: Request): Promise<Response> {
  return redeemHandoffResponse(request);
});
