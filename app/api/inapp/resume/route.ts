import { redeemResumeResponse } from "@/lib/inapp/resume";
import { withRequestId } from "@/lib/http/request-id";

export const runtime = "nodejs";

/** "Continue in a new window": opens the framed session's case here (see lib/inapp/resume.ts). */
export const POST = withRequestId(async function POST(request: Request): Promise<Response> {
  return redeemResumeResponse(request);
});
