import { errorFacts } from "@/lib/errors";
import { withRequestId } from "@/lib/http/request-id";
import { refusal } from "@/lib/http/json";
import { collectMetrics, metricsAccess } from "@/lib/metrics/collect";
import { CONTENT_TYPE } from "@/lib/metrics/exposition";
import { log } from "@/lib/log";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Prometheus scrape endpoint; `Authorization: Bearer $METRICS_TOKEN`, absent without one. */
export const GET = withRequestId(async function GET(request: Request): Promise<Response> {
  const access = metricsAccess(request.headers.get("authorization"));
  if (access === "unset") return refusal(404, "not_found");
  if (access === "refused")
    return new Response(JSON.stringify({ error: "unauthorized" }), {
      status: 401,
      headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="metrics"' },
    });
  try {
    return new Response(await collectMetrics(), {
      headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" },
    });
  } catch (error) {
    // Usually the database: /api/health/ready says which part; a scrape gap is the signal here.
    log.error("metrics.failed", errorFacts(error));
    return refusal(503, "unavailable", "metrics are unavailable");
  }
});
