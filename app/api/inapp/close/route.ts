import { closeRedirectResponse, closeSessionResponse } from "@/lib/inapp/close";
import { withRequestId } from "@/lib/http/request-id";

export const runtime = "nodejs";

/** The close control's beacon: ends the trader's session (lib/inapp/close.ts). */
export const POST = withRequestId(async function POST(request: Request): Promise<Response> {
  return closeSessionResponse(request);
});

/** The close URL for a page that cannot read it (app/global-error.tsx): 303 to CLOSE_URL. */
export const GET = withRequestId(async function GET(): Promise<Response> {
  return closeRedirectResponse();
});
