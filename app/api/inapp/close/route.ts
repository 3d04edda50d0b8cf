import { closeSessionResponse } from "@/lib/inapp/close";

export const runtime = "nodejs";

/** The close control's beacon: ends the trader's session (lib/inapp/close.ts). */
export async function POST(request: Request): Promise<Response> {
  return closeSessionResponse(request);
}
