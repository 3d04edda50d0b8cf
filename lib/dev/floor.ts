import { appendAuditEvent } from "@/lib/db/queries/audit";

/** The benchmark floor's one write: a single INSERT, the least a route handler can do. */
export async function recordFloorHit(): Promise<void> {
  await appendAuditEvent({ actorType: "system", actorId: "bench", action: "bench.floor" });
}
