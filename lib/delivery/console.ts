/**
 * What an admin does with deliveries from the console: send one event again, or every dead
 * delivery, with a fresh retry schedule. Earlier attempts stay in the log; every replay is
 * audited.
 */
import { appendAuditEvent } from "@/lib/db/queries/audit";
import {
  listDeadDeliveries,
  replayDeadDeliveries,
  replayEventDeliveries,
} from "@/lib/db/queries/outbox";
import { AppError } from "@/lib/errors";

type Admin = { id: string; role: string };

export async function replayEvent(
  admin: Admin,
  eventId: string,
  now = new Date(),
): Promise<number> {
  if (!/^[0-9a-f-]{36}$/.test(eventId)) throw new AppError("BAD_REQUEST", "unknown event");
  const count = await replayEventDeliveries({ eventId, now });
  await appendAuditEvent({
    actorType: "staff",
    actorId: admin.id,
    action: "delivery.replayed",
    data: { eventId, deliveries: count },
    occurredAt: now,
  });
  return count;
}

export async function replayAllDead(admin: Admin, now = new Date()): Promise<number> {
  const count = await replayDeadDeliveries({ now });
  await appendAuditEvent({
    actorType: "staff",
    actorId: admin.id,
    action: "delivery.replayed_dead",
    data: { deliveries: count },
    occurredAt: now,
  });
  return count;
}

/** The dead-lettered deliveries an admin sees on the deliveries page. */
export function deadDeliveries() {
  return listDeadDeliveries();
}
