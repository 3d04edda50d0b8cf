/**
 * The scheduler's way in (`/api/cron/deliver`, Vercel cron in vercel.json): where no worker
 * process runs, a scheduler calls this every minute and it drains due deliveries for up to a
 * time budget. Protected by `Authorization: Bearer <CRON_SECRET>` (what Vercel cron sends),
 * compared in constant time; without CRON_SECRET configured it refuses everyone.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import { drainOnce, type DrainResult } from "./worker";

export const CRON_BUDGET_MS = 25_000;

/** Constant-time comparison of the bearer token (hashed first, so lengths never leak). */
export function isCronAuthorized(authorization: string | null): boolean {
  const secret = env().delivery.cronSecret;
  if (!secret || !authorization?.startsWith("Bearer ")) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(authorization.slice(7)), digest(secret));
}

/**
 * Drains passes of `limit` until nothing is due or the budget is spent (a pass already started
 * finishes: at most one attempt timeout past the budget).
 */
export async function drainWithBudget(
  budgetMs = CRON_BUDGET_MS,
  limit = 20,
): Promise<DrainResult & { passes: number }> {
  const deadline = Date.now() + budgetMs;
  const total = { claimed: 0, delivered: 0, failed: 0, dead: 0, released: 0, passes: 0 };
  while (Date.now() < deadline) {
    const pass = await drainOnce({ limit });
    total.passes++;
    total.claimed += pass.claimed;
    total.delivered += pass.delivered;
    total.failed += pass.failed;
    total.dead += pass.dead;
    total.released += pass.released;
    if (pass.claimed < limit) break;
  }
  return total;
}
