import { closeSessionResponse } from "@/lib/inapp/close";
import { withRequestId } from "@/lib/http/request-id";

export const runtime = "nodejs";

/** The close control's beacon: ends the trader's session (lib/inapp/close.ts). */
export const POST = withRequestId(async function POST(request: Request): Promise<Response> {
  return closeSessionResponse(request);
});
