import { redeemHandoffResponse } from "@/lib/inapp/handoff";

export const runtime = "nodejs";

/** The confirmation page's button: redeems the phone-handoff link (see lib/inapp/handoff.ts). */
export async function POST(request: Request): Promise<Response> {
  return redeemHandoffResponse(request);
}
