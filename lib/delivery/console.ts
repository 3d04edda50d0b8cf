/**
 * What an admin does with deliveries from the console: send one event again, or every dead
 * delivery, with a fresh retry schedule. Earlier attempts stay in the log; every replay is
 * audited.
 */
import { appendAuditEvent } from "@/lib/db/queries/audit";
import {
  countDeliveriesByState,
  listDeadDeliveries,
  listPendingDeliveries,
  replayDeadDeliveries,
  replayEventDeliveries,
} from "@/lib/db/queries/outbox";
import { AppError } from "@/lib/errors";

type Admin = { id: string; role: string };

/** Sends an event again, to every destination or (when named) to one. */
export async function replayEvent(
  admin: Admin,
  eventId: string,
  now = new Date(),
  destination?: string,
): Promise<number> {
  if (!/^[0-9a-f-]{36}$/.test(eventId)) throw new AppError("BAD_REQUEST", "unknown event");
  const count = await replayEventDeliveries({ eventId, destination, now });
  await appendAuditEvent({
    actorType: "staff",
    actorId: admin.id,
    action: "delivery.replayed",
    data: { eventId, deliveries: count, ...(destination ? { destination } : {}) },
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

/** The dead-lettered deliveries. */
export function deadDeliveries() {
  return listDeadDeliveries();
}

/**
 * What the deliveries page shows: how many deliveries are in each state, the ones still on
 * their retry schedule (failing first: a receiver refusing connections shows here long before
 * anything is dead) and the dead ones, which only a replay sends again.
 */
export async function deliveryOverview() {
  const [counts, pending, dead] = await Promise.all([
    countDeliveriesByState(),
    listPendingDeliveries(),
    listDeadDeliveries(),
  ]);
  return { counts, pending, dead };
}
