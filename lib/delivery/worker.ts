/**
 * Where delivery runs. `drainOnce` is one pass: claim due deliveries (a short transaction with
 * `FOR UPDATE SKIP LOCKED` and a lease), send them with no transaction open, record each outcome
 * as it comes.
 * Three callers share it, so the guarantees are the same wherever delivery runs:
 * - `npm run worker` (scripts/worker.ts → `runWorker`): a long-running loop for containers; any
 *   number of workers may run at once.
 * - `/api/cron/deliver`: a scheduler (Vercel cron) calls it with a time budget.
 * - `deliverSoon` (lib/jobs/after-response.ts): the first attempt right after the change commits.
 *
 * The lease must outlast one attempt (a webhook's 15 s timeout, an email's 30 s, the cTrader
 * adapter's up to three calls of 15 s): while it runs no other worker claims the row; if the
 * worker dies, the row is sent again (at least once) once the lease has passed and the retry
 * schedule's next attempt has come (the claim moved it there), and is dead when the schedule ran
 * out with its last claim unfinished: a send that kills its process is not repeated forever.
 * A lane of one case's events to one destination is sent one after the other under the one lease
 * the pass took, so a slow receiver could make it outlast that lease; another worker would then
 * claim the lane's rest, the send in flight included, and send it again, out of order. So a lane
 * starts each later send only while the lease still leaves room for it (the destination's longest
 * send and a margin); otherwise it gives its unsent claims back and the next pass sends them, in
 * order. Giving back rather than extending the lease keeps a pass within the lease it was
 * granted: a stuck or slow worker never holds a case's deliveries longer than that. A pass whose
 * lease cannot hold one send to a destination claims none of its deliveries: a full batch of them
 * claimed and given back each pass would keep every other destination waiting behind them.
 */
import { errorFacts, errorMessage } from "@/lib/errors";
import { performance } from "node:perf_hooks";
import {
  claimDueDeliveries,
  countDueDeliveries,
  recordAttempt,
  releaseClaims,
  type AttemptRecord,
  type ClaimedDelivery,
} from "@/lib/db/queries/outbox";
import type { AuditInput } from "@/lib/db/queries/audit";
import { getRelationshipEndOfCase } from "@/lib/db/queries/ended-relationship";
import { log } from "@/lib/log";
import { traced } from "@/lib/telemetry";
import { getDestination, listDestinations } from "./destinations";
import { CASE_RENEWAL_DUE, readEventFacts } from "./payload";
import { nextAttemptAt } from "./retry";
import type { AttemptOutcome, ErrorKind } from "./webhook";
import { writeAttemptNote } from "./attempt-note";

/**
 * Longer than any destination's longest send with its margin (the cTrader adapter's 45 s and 5 s),
 * so every lane's first send fits; what is left (10 s for cTrader, 40 s for a webhook) is the time
 * in which a lane starts its later sends, plenty for a batch (`limit`) at the usual latencies. A
 * lane slower than that hands the rest to the next pass. A dead worker's claims wait this long.
 */
export const DEFAULT_LEASE_MS = 60_000;
/**
 * What a send needs on its lease besides its destination's own bound (Destination.longestSendMs):
 * the database work around the call, the reads before it and recording the outcome after.
 */
export const SEND_MARGIN_MS = 5_000;
/** What a lease spends before its first send can start: the claim itself, on a busy database. */
export const CLAIM_ALLOWANCE_MS = 1_000;

/**
 * The shortest lease a drainer may take: the claim, then one send to the slowest configured
 * destination with its margin. With less, a claim the claim itself delayed is given back unsent,
 * and a lease shorter than one send sends nothing at all. `fastest`: the shortest lease in which
 * some destination's lanes can still send (the others' claims are given back unsent).
 */
export function minimumLeaseMs(which: "slowest" | "fastest" = "slowest"): number {
  const sends = listDestinations().map((d) => d.longestSendMs);
  const bound = which === "slowest" ? Math.max(0, ...sends) : Math.min(...sends, Infinity);
  return CLAIM_ALLOWANCE_MS + (Number.isFinite(bound) ? bound : 0) + SEND_MARGIN_MS;
}
/**
 * Destinations a lease of `leaseMs` cannot hold one send to (the claim, the send, the margin):
 * a pass leaves them unclaimed rather than claim them only to give them back.
 */
export function destinationsBeyond(leaseMs: number): string[] {
  return listDestinations()
    .filter((d) => CLAIM_ALLOWANCE_MS + d.longestSendMs + SEND_MARGIN_MS > leaseMs)
    .map((d) => d.id);
}

/**
 * What the attempt log says for a claim whose lease ran out with no outcome recorded when the
 * schedule had no attempt left: the send never returned, or its process ended (a function
 * timeout, out of memory, a kill).
 */
const NEVER_FINISHED = "no outcome before its lease ran out: the send never returned";

export const RENEWAL_NOTICE_WITHHELD = "delivery.renewal_notice_withheld";
/**
 * A send that outlived its lease on the schedule's last attempt, was dead-lettered as never
 * finished meanwhile, and then succeeded: the delivery is delivered after all (recordAttempt).
 * The attempt log keeps one row for that attempt, with its outcome; this line keeps when the
 * console had shown it dead.
 */
export const DELIVERED_AFTER_NEVER_FINISHED = "delivery.delivered_after_never_finished";
/**
 * The same send failing late instead: the delivery stays dead, now for the failure that came, and
 * the attempt's never-finished row takes that failure; this line keeps when the console had shown
 * it as never finished.
 */
export const FAILED_AFTER_NEVER_FINISHED = "delivery.failed_after_never_finished";

export type DrainOptions = {
  /** Most deliveries claimed (and sent concurrently) in this pass. */
  limit?: number;
  /**
   * The clock for due-ness, leases and the schedule (tests compress time with it); it moves on
   * with the wall clock while the pass runs, for the lanes' lease checks.
   */
  now?: Date;
  leaseMs?: number;
  /** Only this event's deliveries (the first attempt after a change). */
  eventId?: string;
};

export type DrainResult = {
  /** Claims sent (or given back) in this pass. */
  claimed: number;
  /**
   * Deliveries this pass took only to record them dead: their last claim never finished and the
   * schedule had no attempt left (counted in `dead` too, unless the send answered meanwhile and
   * its outcome stands instead). They fill the pass's `limit` like claims do, so a drain that
   * stops on a short batch counts them (`taken`).
   */
  unfinished: number;
  delivered: number;
  failed: number;
  dead: number;
  /** Claims given back unsent: their lease had no room left for them. The next pass sends them. */
  released: number;
  /** Due deliveries left unclaimed: their destination's send does not fit this pass's lease. */
  skipped: number;
};

/**
 * A renewal notice whose trader's relationship ended after it was queued (the receiver was down,
 * the retries went on): the sweep would send none now, so neither does the delivery. It is marked
 * delivered without a send, the attempt note and an audit line saying why. The audit line goes
 * with the outcome, in its transaction (recordAttempt): a pass that cannot record the outcome
 * leaves no line behind for a delivery the next pass withholds again.
 */
async function withheldNotice(
  claim: ClaimedDelivery,
  now: Date,
): Promise<{ outcome: AttemptOutcome; audit: AuditInput } | null> {
  if (claim.eventType !== CASE_RENEWAL_DUE) return null;
  const caseId = readEventFacts(claim.payload)?.caseId;
  if (!caseId) return null;
  if (!(await getRelationshipEndOfCase(caseId, now))) return null;
  return {
    outcome: { ok: true, httpStatus: 204, durationMs: 0, note: { code: "relationship_ended" } },
    audit: {
      actorType: "system",
      actorId: "delivery",
      action: RENEWAL_NOTICE_WITHHELD,
      caseId,
      data: { eventId: claim.eventId, destination: claim.destination },
      occurredAt: now,
    },
  };
}

async function attempt(
  claim: ClaimedDelivery,
  now: Date,
): Promise<AttemptOutcome & { audit?: AuditInput }> {
  const withheld = await withheldNotice(claim, now);
  if (withheld) return { ...withheld.outcome, audit: withheld.audit };
  const destination = getDestination(claim.destination);
  if (!destination) {
    return {
      ok: false,
      httpStatus: null,
      errorKind: "unknown_destination",
      error: `no destination ${claim.destination} is configured`,
      durationMs: 0,
    };
  }
  const started = performance.now();
  try {
    return await destination.send({
      eventId: claim.eventId,
      eventType: claim.eventType,
      payload: claim.payload,
      destination: claim.destination,
    });
  } catch (error) {
    // A sender should classify its own failures; anything it throws still counts as an attempt.
    return {
      ok: false,
      httpStatus: null,
      errorKind: "network",
      error: errorMessage(error),
      durationMs: Math.round(performance.now() - started),
    };
  }
}

export async function drainOnce(options: DrainOptions = {}): Promise<DrainResult> {
  const now = options.now ?? new Date();
  const startedAt = Date.now();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const skip = destinationsBeyond(leaseMs);
  const { claims, unfinished } = await claimDueDeliveries({
    now,
    limit: options.limit ?? 20,
    leaseMs,
    eventId: options.eventId,
    skip,
    retryAt: ({ attempts, scheduleStartedAt }) =>
      nextAttemptAt({ attempts, scheduleStartedAt, now }),
  });
  const result: DrainResult = {
    claimed: claims.length,
    unfinished: unfinished.length,
    delivered: 0,
    failed: 0,
    dead: 0,
    released: 0,
    skipped: 0,
  };
  // The deferred work of this pass, for one warning line at its end (below).
  const released = new Map<string, number>();
  const skipped = await countDueDeliveries({ now, destinations: skip, eventId: options.eventId });
  for (const claim of unfinished) {
    // Not applied: the send answered after all between this claim and now, and said how it went.
    const { applied } = await recordAttempt({
      claim,
      at: now,
      durationMs: 0,
      ok: false,
      httpStatus: null,
      errorKind: "never_finished" satisfies ErrorKind,
      error: NEVER_FINISHED,
      nextAttemptAt: null,
    });
    if (!applied) continue;
    result.dead++;
    log.warn("delivery.attempt_failed", {
      deliveryId: claim.id,
      eventId: claim.eventId,
      destination: claim.destination,
      attempt: claim.attempts,
      errorKind: "never_finished",
      httpStatus: null,
      dead: true,
    });
  }
  // Sends never throw (attempt() classifies every failure). They run concurrently, except that
  // one case's events to one destination go one after the other in their sequence order, so a
  // receiver sees a case's changes in the order they happened whenever they arrive in one pass
  // (across passes, the payload's `sequence` tells it). Each outcome is recorded as soon as it
  // is known: a slow lane must not keep the pass's finished sends unrecorded until their leases
  // run out, when another worker would claim and send them again. If recording fails (the
  // database went away) nothing is lost: the leases run out and the deliveries are attempted
  // again. The error reaches the caller so it backs off.
  const send = async (claim: ClaimedDelivery): Promise<AttemptRecord> => {
    const outcome = await traced(
      "kyc.delivery.attempt",
      {
        "kyc.delivery.destination": claim.destination,
        "kyc.event_id": claim.eventId,
        "kyc.delivery.attempt": claim.attempts,
      },
      async (span) => {
        const result = await attempt(claim, now);
        span.setAttribute("kyc.delivery.ok", result.ok);
        if (!result.ok) span.setAttribute("kyc.delivery.error_kind", result.errorKind);
        return result;
      },
    );
    const next =
      outcome.ok || outcome.permanent
        ? null
        : nextAttemptAt({
            attempts: claim.attempts,
            scheduleStartedAt: claim.scheduleStartedAt,
            now,
          });
    if (!outcome.ok)
      log[next ? "info" : "warn"]("delivery.attempt_failed", {
        deliveryId: claim.id,
        eventId: claim.eventId,
        destination: claim.destination,
        attempt: claim.attempts,
        errorKind: outcome.errorKind,
        httpStatus: outcome.httpStatus,
        dead: !next,
      });
    return {
      claim,
      at: now,
      durationMs: outcome.durationMs,
      ok: outcome.ok,
      httpStatus: outcome.httpStatus,
      errorKind: outcome.ok ? null : outcome.errorKind,
      error: outcome.ok ? null : outcome.error,
      note: outcome.ok && outcome.note ? writeAttemptNote(outcome.note) : null,
      audit: outcome.audit ?? null,
      nextAttemptAt: next,
    };
  };
  // Whether the claim's lease still holds a send to its destination started now. The pass's
  // clock is `now` moved on by the wall clock, which is what other workers judge the lease by.
  const roomFor = (claim: ClaimedDelivery): boolean => {
    const longest = getDestination(claim.destination)?.longestSendMs ?? 0;
    const left = claim.lockedUntil.getTime() - (now.getTime() + Date.now() - startedAt);
    return left >= longest + SEND_MARGIN_MS;
  };
  // A lane whose recording fails stops there (its unsent claims wait for their leases); the pass
  // ends only when every lane has, so no send outlives it, and then reports the failure.
  // Every send, the lane's first too, starts only while the lease leaves it room (a lease too
  // short for the destination, or a claim that itself took long, leaves none), else the lane
  // gives the rest back: sent by the next pass, in order, where the in-flight send would
  // otherwise be sent again once the lease ran out and the rest could overtake it.
  const lanes = await Promise.allSettled(
    inCaseOrder(claims).map(async (lane) => {
      const done: AttemptRecord[] = [];
      for (const [i, claim] of lane.entries()) {
        if (!roomFor(claim)) {
          const rest = lane.slice(i);
          const given = await releaseClaims(rest);
          result.released += given;
          released.set(claim.destination, (released.get(claim.destination) ?? 0) + given);
          break;
        }
        const record = await send(claim);
        const { overturned } = await recordAttempt(record, (deadAt) =>
          afterNeverFinished(
            claim,
            record.ok,
            deadAt,
            new Date(now.getTime() + Date.now() - startedAt),
          ),
        );
        if (overturned)
          log.warn(record.ok ? DELIVERED_AFTER_NEVER_FINISHED : FAILED_AFTER_NEVER_FINISHED, {
            deliveryId: claim.id,
            eventId: claim.eventId,
            destination: claim.destination,
            attempt: claim.totalAttempts,
          });
        done.push(record);
      }
      return done;
    }),
  );
  // One line a pass, at warn: deliveries deferred pass after pass (the cTrader adapter's, in a
  // cron call whose window no longer holds its send) would otherwise wait unseen.
  for (const count of Object.values(skipped)) result.skipped += count;
  if (result.released > 0 || result.skipped > 0)
    log.warn("delivery.deferred", {
      leaseMs,
      released: Object.fromEntries(released),
      skipped,
    });
  const failure = lanes.find((l) => l.status === "rejected");
  if (failure) throw failure.reason;
  const records = lanes.flatMap((l) => (l.status === "fulfilled" ? l.value : []));
  for (const r of records) {
    if (r.ok) result.delivered++;
    else if (r.nextAttemptAt) result.failed++;
    else result.dead++;
  }
  return result;
}

/**
 * How many deliveries a pass took from the due ones (sent, given back or recorded dead): a pass
 * that took a full `limit` may have left more due behind them.
 */
export function taken(result: DrainResult): number {
  return result.claimed + result.unfinished;
}

/**
 * The audit line for a late outcome that took the place of a never-finished dead letter, written
 * with the attempt (recordAttempt): the only record that the console had shown it never finished.
 */
function afterNeverFinished(
  claim: ClaimedDelivery,
  ok: boolean,
  deadAt: Date,
  at: Date,
): AuditInput {
  return {
    actorType: "system",
    actorId: "delivery",
    action: ok ? DELIVERED_AFTER_NEVER_FINISHED : FAILED_AFTER_NEVER_FINISHED,
    caseId: readEventFacts(claim.payload)?.caseId ?? null,
    data: {
      eventId: claim.eventId,
      destination: claim.destination,
      attempt: claim.totalAttempts,
      deadAt: deadAt.toISOString(),
    },
    occurredAt: at,
  };
}

/** Claims grouped per case and destination, each group in the events' sequence order. */
function inCaseOrder(claims: readonly ClaimedDelivery[]): ClaimedDelivery[][] {
  const lanes = new Map<string, { claim: ClaimedDelivery; sequence: number }[]>();
  for (const claim of claims) {
    const facts = readEventFacts(claim.payload);
    const key = facts ? `${facts.caseId}|${claim.destination}` : `#${claim.id}`;
    const entry = { claim, sequence: facts?.sequence ?? 0 };
    const lane = lanes.get(key);
    if (lane) lane.push(entry);
    else lanes.set(key, [entry]);
  }
  return [...lanes.values()].map((lane) =>
    lane.sort((a, b) => a.sequence - b.sequence).map((e) => e.claim),
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

export type WorkerOptions = {
  /** Stops the loop after the pass in progress (SIGTERM in scripts/worker.ts). */
  signal: AbortSignal;
  pollMs?: number;
  limit?: number;
  leaseMs?: number;
  /** Longest wait after consecutive errors (database down). */
  maxBackoffMs?: number;
};

/**
 * Drains until `signal` aborts: straight on while batches come back full, `pollMs` between
 * passes otherwise. Any error (the database connection dropped, PostgreSQL restarting) is
 * logged and retried with a growing, jittered wait — the process never exits because of it.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const pollMs = options.pollMs ?? 1000;
  const limit = options.limit ?? 20;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  let failures = 0;
  log.info("delivery.worker.started", { pollMs, limit });
  while (!options.signal.aborted) {
    try {
      const result = await drainOnce({ limit, leaseMs: options.leaseMs });
      if (failures > 0) log.info("delivery.worker.recovered", { after: failures });
      failures = 0;
      if (taken(result) < limit) await sleep(pollMs, options.signal);
    } catch (error) {
      failures++;
      const ceiling = Math.min(maxBackoffMs, pollMs * 2 ** Math.min(failures, 16));
      const waitMs = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
      log.warn("delivery.worker.error", { ...errorFacts(error), failures, waitMs });
      await sleep(waitMs, options.signal);
    }
  }
  log.info("delivery.worker.stopped", {});
}
