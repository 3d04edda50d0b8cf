import { drainWithBudget, isCronAuthorized } from "@/lib/delivery/cron";
import { errorFacts } from "@/lib/errors";
import { withRequestId } from "@/lib/http/request-id";
import { log } from "@/lib/log";

// A pass may run for the budget plus one attempt's timeout.
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
