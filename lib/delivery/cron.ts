/**
 * The scheduler's way in (`/api/cron/deliver`, Vercel cron in vercel.json): where no worker
 * process runs, a scheduler calls this every minute and it drains due deliveries for up to a
 * time budget. Protected by `Authorization: Bearer <CRON_SECRET>` (what Vercel cron sends),
 * compared in constant time; without CRON_SECRET configured it refuses everyone.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { DEFAULT_LEASE_MS, drainOnce, minimumLeaseMs, taken, type DrainResult } from "./worker";

export const CRON_BUDGET_MS = 25_000;
/**
 * How long a call may run in all: the route's maxDuration (60 s, app/api/cron/deliver) less a
 * few seconds to answer. The platform stops the function after it, and a send cut off there is
 * sent again by a later pass.
 */
export const CRON_WINDOW_MS = 55_000;

/** Constant-time comparison of the bearer token (hashed first, so lengths never leak). */
export function isCronAuthorized(authorization: string | null): boolean {
  const secret = env().delivery.cronSecret;
  if (!secret || !authorization?.startsWith("Bearer ")) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(authorization.slice(7)), digest(secret));
}

/**
 * Drains passes of `limit` until nothing is due or the budget is spent. Each pass's lease ends
 * with the call's window, and its lanes start no send the lease cannot hold (lib/delivery/worker.ts),
 * so the last pass ends within the window too. A pass starts while its lease holds a send to the
 * fastest configured destination, and claims nothing of a destination whose send its lease cannot
 * hold: with a window shortened by a slow housekeeping run the webhooks still go, however many of
 * a slower destination's deliveries (the cTrader adapter's) are due ahead of them, and those wait
 * for a later call with the window they need. A pass that gave claims back (a lane ran out of
 * lease) ends the drain: the next pass's lease would be shorter still. A full pass counts the
 * never-finished deliveries it only recorded dead (`taken`): a batch of nothing else still means
 * more may be due behind it.
 */
export async function drainWithBudget(
  budgetMs = CRON_BUDGET_MS,
  limit = 20,
  windowMs = CRON_WINDOW_MS,
): Promise<DrainResult & { passes: number }> {
  const started = Date.now();
  const deadline = started + budgetMs;
  const end = started + windowMs;
  const shortest = minimumLeaseMs("fastest");
  const total = {
    claimed: 0,
    unfinished: 0,
    delivered: 0,
    failed: 0,
    dead: 0,
    released: 0,
    skipped: 0,
    passes: 0,
  };
  while (Date.now() < deadline) {
    const leaseMs = Math.min(DEFAULT_LEASE_MS, end - Date.now());
    if (leaseMs < shortest) break;
    const pass = await drainOnce({ limit, leaseMs });
    total.passes++;
    total.claimed += pass.claimed;
    total.unfinished += pass.unfinished;
    total.delivered += pass.delivered;
    total.failed += pass.failed;
    total.dead += pass.dead;
    total.released += pass.released;
    total.skipped += pass.skipped;
    if (taken(pass) < limit || pass.released > 0) break;
  }
  return total;
}
