import { isCronAuthorized } from "@/lib/delivery/cron";
import { errorFacts } from "@/lib/errors";
import { withRequestId } from "@/lib/http/request-id";
import { runScheduledJobs } from "@/lib/jobs/daily";
import { log } from "@/lib/log";

// Housekeeping (up to 20 check runs), then at most 20 s of deliveries (lib/jobs/daily.ts).
export const maxDuration = 60;
export const dynamic = "force-dynamic";

async function housekeeping(request: Request): Promise<Response> {
  if (!isCronAuthorized(request.headers.get("authorization")))
    return Response.json({ error: "unauthorized" }, { status: 401 });
  try {
    return Response.json(await runScheduledJobs());
  } catch (error) {
    log.error("housekeeping.cron_failed", errorFacts(error));
    return Response.json({ error: "housekeeping failed" }, { status: 503 });
  }
}

// Vercel cron sends GET; other schedulers may POST.
export const GET = withRequestId(housekeeping);
export const POST = withRequestId(housekeeping);
