import { withRequestId } from "@/lib/http/request-id";
import { autosaveResponse } from "@/lib/inapp/step-save";

export const runtime = "nodejs";

/** A step form's autosave (lib/inapp/step-save.ts). */
export const POST = withRequestId(async function POST(request: Request): Promise<Response> {
  return autosaveResponse(request);
});
