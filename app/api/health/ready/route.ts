import { readiness } from "@/lib/health";
import { withRequestId } from "@/lib/http/request-id";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Readiness: database, document storage and screening list age; 503 names what failed. */
export const GET = withRequestId(async function GET(): Promise<Response> {
  const ready = await readiness();
  const { ok, ...parts } = ready;
  return Response.json(
    { status: ok ? "ok" : "unready", ...parts },
    { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
});
