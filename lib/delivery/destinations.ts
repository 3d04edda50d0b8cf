/**
 * Where events go. A destination is anything that must hear about an outbox event and can fail
 * independently: each configured webhook endpoint (`webhook:<id>`), the cTrader account adapter
 * (`ctrader:account`) and the trader's email (`email:trader`), each when configured; the live
 * status stream can be added the same way. Each gets its own `deliveries` row, retries and
 * attempt log without touching the worker.
 *
 * Destinations are chosen when the event is written (in the status change's transaction); an
 * endpoint removed from the configuration later leaves its pending rows failing with
 * `unknown_destination` until they run out of retries (or the endpoint comes back).
 */
import { env } from "@/lib/env";
import {
  CTRADER_ACCOUNT_DESTINATION,
  CTRADER_LONGEST_SEND_MS,
  updateTradingAccount,
} from "./ctrader-account";
import { EMAIL_DESTINATION, EMAIL_TIMEOUT_MS, sendStatusEmail } from "./email";
import {
  CASE_ACCOUNT_CHANGED,
  CASE_MONITORING_CLEARED,
  CASE_MONITORING_HIT,
  CASE_RENEWAL_DUE,
  CASE_STATUS_CHANGED,
  CASE_VENDOR_ALERT,
  CASE_VENDOR_ALERT_CLEARED,
} from "./payload";
import { sendWebhook, WEBHOOK_TIMEOUT_MS, type AttemptOutcome } from "./webhook";

export type DeliveryJob = {
  eventId: string;
  eventType: string;
  payload: Record<string, unknown>;
  destination: string;
};

export type Destination = {
  id: string;
  /** Which event types this destination wants. */
  accepts(eventType: string): boolean;
  send(job: DeliveryJob): Promise<AttemptOutcome>;
  /** The longest one send can take (its timeouts): the worker starts none its lease cannot hold. */
  longestSendMs: number;
};

function webhookDestinations(): Destination[] {
  return env().delivery.webhooks.map((endpoint) => ({
    id: `webhook:${endpoint.id}`,
    // An account change is the cTrader adapter's own event, not part of the webhook contract.
    accepts: (eventType) => eventType !== CASE_ACCOUNT_CHANGED,
    longestSendMs: WEBHOOK_TIMEOUT_MS,
    // The body is serialised once per attempt from the stored payload: JSON.stringify of the
    // same jsonb value gives the same bytes, and those exact bytes are what we sign.
    send: (job) => sendWebhook(endpoint, { id: job.eventId, body: JSON.stringify(job.payload) }),
  }));
}

function ctraderAccountDestination(): Destination[] {
  if (!env().ctraderAccountUpdate) return [];
  return [
    {
      id: CTRADER_ACCOUNT_DESTINATION,
      accepts: (eventType) =>
        eventType === CASE_STATUS_CHANGED ||
        eventType === CASE_MONITORING_HIT ||
        eventType === CASE_MONITORING_CLEARED ||
        eventType === CASE_VENDOR_ALERT ||
        eventType === CASE_VENDOR_ALERT_CLEARED ||
        eventType === CASE_RENEWAL_DUE ||
        eventType === CASE_ACCOUNT_CHANGED,
      send: (job) => updateTradingAccount(job.payload),
      longestSendMs: CTRADER_LONGEST_SEND_MS,
    },
  ];
}

function emailDestination(): Destination[] {
  if (!env().email) return [];
  return [
    {
      id: EMAIL_DESTINATION,
      accepts: (eventType) =>
        eventType === CASE_STATUS_CHANGED ||
        (eventType === CASE_RENEWAL_DUE && env().email?.renewalDue === true),
      send: (job) => sendStatusEmail(job.eventId, job.payload),
      longestSendMs: EMAIL_TIMEOUT_MS,
    },
  ];
}

export function listDestinations(): Destination[] {
  return [...webhookDestinations(), ...ctraderAccountDestination(), ...emailDestination()];
}

export function destinationIdsFor(eventType: string): string[] {
  return listDestinations()
    .filter((d) => d.accepts(eventType))
    .map((d) => d.id);
}

export function getDestination(id: string): Destination | undefined {
  return listDestinations().find((d) => d.id === id);
}
