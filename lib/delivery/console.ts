/**
 * What an admin does with deliveries from the console: send one event again, or every dead
 * delivery, with a fresh retry schedule. Earlier attempts stay in the log; every replay is
 * audited in the transaction that replays it (the row names the event's case), so nothing is sent
 * again without its audit row.
 */
import {
  countDeliveriesByState,
  listDeadDeliveries,
  listPendingDeliveries,
  replayDeadDeliveries,
  replayEventDeliveries,
} from "@/lib/db/queries/outbox";
import { AppError } from "@/lib/errors";

/** The states the console names a delivery by (deliveryStateSql). */
export { DELIVERY_STATES, type DeliveryState } from "@/lib/db/queries/outbox";

type Admin = { id: string; role: string };

/** Sends an event again, to every destination or (when named) to one. */
export async function replayEvent(
  admin: Admin,
  eventId: string,
  now = new Date(),
  destination?: string,
): Promise<number> {
  if (!/^[0-9a-f-]{36}$/.test(eventId)) throw new AppError("BAD_REQUEST", "unknown event");
  return replayEventDeliveries({
    eventId,
    destination,
    now,
    audit: ({ deliveries, caseId }) => ({
      actorType: "staff",
      actorId: admin.id,
      action: "delivery.replayed",
      caseId,
      data: { eventId, deliveries, ...(destination ? { destination } : {}) },
      occurredAt: now,
    }),
  });
}

export async function replayAllDead(admin: Admin, now = new Date()): Promise<number> {
  return replayDeadDeliveries({
    now,
    audit: ({ deliveries }) => ({
      actorType: "staff",
      actorId: admin.id,
      action: "delivery.replayed_dead",
      data: { deliveries },
      occurredAt: now,
    }),
  });
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
