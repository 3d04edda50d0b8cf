import { withTraderCase } from "@/lib/inapp/api";
import { currentCaseStatus, subscribeCaseStatus } from "@/lib/live/case-status";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 25_000;

/**
 * Server-sent events for the trader's own case (session-checked like every screen): a `status`
 * event now and after every change, heartbeats in between so proxies keep the stream open.
 */
export async function GET(request: Request): Promise<Response> {
  return withTraderCase(
    request,
    "status.stream",
    async ({ kycCase, trader }) => {
      const encoder = new TextEncoder();
      let cleanup = () => {};
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          let last = "";
          const send = async () => {
            const status = await currentCaseStatus(kycCase.id, trader.id).catch(() => undefined);
            if (!status || status === last) return;
            last = status;
            controller.enqueue(
              encoder.encode(`event: status\ndata: ${JSON.stringify({ status })}\n\n`),
            );
          };
          // Listen first, then send the status of now: a change committed in between is heard,
          // never lost (sending is idempotent: an unchanged status is not sent twice).
          const unsubscribe = await subscribeCaseStatus(kycCase.id, () => void send());
          await send();
          const heartbeat = setInterval(
            () => controller.enqueue(encoder.encode(": keep-alive\n\n")),
            HEARTBEAT_MS,
          );
          cleanup = () => {
            clearInterval(heartbeat);
            unsubscribe();
          };
          request.signal.addEventListener("abort", () => {
            cleanup();
            try {
              controller.close();
            } catch {
              // already closed
            }
          });
        },
        cancel() {
          cleanup();
        },
      });
      return new Response(stream, {
        headers: {
          "Content-Type": "text/event-stream; charset=utf-8",
          "Cache-Control": "no-store, no-transform",
          "X-Accel-Buffering": "no",
        },
      });
    },
    { mutates: false },
  );
}
