import { appendAuditEvent } from "@/lib/db/queries/audit";
import { env } from "@/lib/env";

/** Benchmark floor: a bare route handler doing one INSERT (enabled by BENCH_ROUTES=1 only). */
export async function POST() {
  if (!env().benchRoutesEnabled) return new Response("Not Found", { status: 404 });
  await appendAuditEvent({ actorType: "system", actorId: "bench", action: "bench.floor" });
  return new Response(null, { status: 204 });
}
