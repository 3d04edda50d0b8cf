import { refusal, withTraderCase } from "@/lib/inapp/api";
import { sessionStillLive } from "@/lib/identity/sessions";
import { openStatusStream } from "@/lib/live/status-stream";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Server-sent events for the trader's own case (bounded per session: lib/live/status-stream.ts). */
export async function GET(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "status.stream",
    async ({ session, kycCase, trader }) => {
      const result = await openStatusStream({
        sessionKey: session.idHash,
        sessionExpiresAt: session.expiresAt,
        sessionLive: () => sessionStillLive(session),
        caseId: kycCase.id,
        traderId: trader.id,
        signal: request.signal,
      });
      if (result.ok) return result.response;
      return result.reason === "too_many_streams"
        ? refusal(429, "too_many_streams", "too many open status streams for this session")
        : refusal(503, "unavailable", "live status is unavailable; poll /api/inapp/status");
    },
    { mutates: false },
  );
}
