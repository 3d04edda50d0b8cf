/**
 * The retry schedule: exponential backoff with full jitter (each wait is uniform between zero and
 * the step's ceiling, so receivers recovering from an outage are not hit by every sender at the
 * same instant), 15 attempts in all, and the last one never earlier than 72 hours after the
 * schedule began — a receiver down for a long weekend still gets the event (Stripe retries for
 * 3 days; Sumsub 4 times over 18 h). After the last failure the delivery is dead (dead-lettered)
 * until someone replays it.
 *
 * Ceilings after attempt n: 1 min · 2^(n-1), capped at 24 h (1, 2, 4 … 512 min, 17 h, 24 h, 24 h),
 * then the 72 h floor for attempt 15.
 */
export const MAX_ATTEMPTS = 15;
export const MIN_SCHEDULE_MS = 72 * 60 * 60 * 1000;
const BASE_MS = 60 * 1000;
const CAP_MS = 24 * 60 * 60 * 1000;

/**
 * When to try again after attempt number `attempts` (1-based, within the current schedule)
 * failed; null when it was the last one.
 */
export function nextAttemptAt(input: {
  attempts: number;
  scheduleStartedAt: Date;
  now: Date;
  random?: () => number;
}): Date | null {
  if (input.attempts >= MAX_ATTEMPTS) return null;
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, input.attempts - 1));
  let next = input.now.getTime() + Math.floor((input.random ?? Math.random)() * ceiling);
  if (input.attempts === MAX_ATTEMPTS - 1) {
    next = Math.max(next, input.scheduleStartedAt.getTime() + MIN_SCHEDULE_MS);
  }
  return new Date(next);
}
