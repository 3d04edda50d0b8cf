import { drainWithBudget, isCronAuthorized } from "@/lib/delivery/cron";
import { errorFacts } from "@/lib/errors";
import { withRequestId } from "@/lib/http/request-id";
import { log } from "@/lib/log";

// Passes end within CRON_WINDOW_MS (lib/delivery/cron.ts), a few seconds under this.
export const maxDuration = 60;
export const dynamic = "force-dynamic";

async function deliver(request: Request): Promise<Response> {
  if (!isCronAuthorized(request.headers.get("authorization")))
    return Response.json({ error: "unauthorized" }, { status: 401 });
  try {
    return Response.json(await drainWithBudget());
  } catch (error) {
    log.error("delivery.cron_failed", errorFacts(error));
    return Response.json({ error: "delivery pass failed" }, { status: 503 });
  }
}

// Vercel cron sends GET; other schedulers may POST.
export const GET = withRequestId(deliver);
export const POST = withRequestId(deliver);
