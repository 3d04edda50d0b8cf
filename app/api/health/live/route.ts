export const dynamic = "force-dynamic";

/** Liveness: the process answers. No dependency is consulted (lib/health.ts says why). */
export async function GET(): Promise<Response> {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
