import { recordFloorHit } from "@/lib/dev/floor";
import { env } from "@/lib/env";

/** Benchmark floor: a bare route handler doing one INSERT (enabled by BENCH_ROUTES=1 only). */
export async function POST() {
  if (!env().benchRoutesEnabled) return new Response("Not Found", { status: 404 });
  await recordFloorHit();
  return new Response(null, { status: 204 });
}
