/**
 * What /api/metrics reports. Database counts are the same from every instance (scrape any one);
 * open status streams and document check durations are this process's own (scrape each, or sum).
 */
import { latestChainStatus } from "@/lib/audit/check";
import { env } from "@/lib/env";
import {
  countCheckRuns,
  countDeliveriesByDestination,
  countFailedCheckRuns,
  countQueueByStatus,
  countSlaBreaches,
  listScreeningListImports,
} from "@/lib/db/queries/metrics";
import { safeEqual } from "@/lib/identity/secrets";
import { liveStreamCount } from "@/lib/live/status-stream";
import { documentCheckSeconds } from "./document-checks";
import { formatMetrics, type Family } from "./exposition";

export async function collectMetrics(now = new Date()): Promise<string> {
  const [queue, breaches, deliveries, runs, failed, lists, chain] = await Promise.all([
    countQueueByStatus(),
    countSlaBreaches(now, env().reviewTimeHours),
    countDeliveriesByDestination(now),
    countCheckRuns(),
    countFailedCheckRuns(),
    listScreeningListImports(),
    latestChainStatus(),
  ]);
  const families: Family[] = [
    {
      name: "kyc_review_queue_cases",
      help: "Cases waiting for a reviewer, by status.",
      type: "gauge",
      samples: Object.entries(queue).map(([status, value]) => ({ labels: { status }, value })),
    },
    {
      name: "kyc_review_sla_breaches",
      help: "Queue cases waiting longer than REVIEW_TIME_HOURS.",
      type: "gauge",
      samples: [{ value: breaches }],
    },
    {
      name: "kyc_deliveries_due",
      help: "Deliveries pending whose next attempt is due, by destination.",
      type: "gauge",
      samples: deliveries.map((d) => ({ labels: { destination: d.destination }, value: d.due })),
    },
    {
      name: "kyc_deliveries_dead",
      help: "Deliveries whose retry schedule ran out (replay from the console), by destination.",
      type: "gauge",
      samples: deliveries.map((d) => ({ labels: { destination: d.destination }, value: d.dead })),
    },
    {
      name: "kyc_check_runs_total",
      help: "Automated check runs recorded, by reason.",
      type: "counter",
      samples: Object.entries(runs).map(([reason, value]) => ({ labels: { reason }, value })),
    },
    {
      name: "kyc_check_failures",
      help: "Cases whose automated checks failed to run and wait for a retry.",
      type: "gauge",
      samples: [{ value: failed }],
    },
    documentCheckSeconds().family(),
    {
      name: "kyc_screening_list_age_seconds",
      help: "Time since each screening list's source last confirmed its current version (imported or unchanged).",
      type: "gauge",
      samples: lists.map((l) => ({
        labels: { source: l.source },
        value: Math.max(
          0,
          Math.round((now.getTime() - (l.checkedAt ?? l.importedAt).getTime()) / 1000),
        ),
      })),
    },
    {
      name: "kyc_screening_list_fetch_failing",
      help: "1 when a screening list's latest fetch or import failed (its previous version still screens).",
      type: "gauge",
      samples: lists.map((l) => ({ labels: { source: l.source }, value: l.failing ? 1 : 0 })),
    },
    {
      name: "kyc_screening_list_unreadable",
      help: "1 when a stored entry of a screening list does not read: nobody is screened until the list is imported again.",
      type: "gauge",
      samples: lists.map((l) => ({ labels: { source: l.source }, value: l.unreadable ? 1 : 0 })),
    },
    {
      name: "kyc_audit_chain_intact",
      help: "1 when the latest verification found the audit chain intact, 0 when broken (none: never verified).",
      type: "gauge",
      samples: chain.state === "unverified" ? [] : [{ value: chain.state === "intact" ? 1 : 0 }],
    },
    {
      name: "kyc_audit_chain_verified_age_seconds",
      help: "Time since the audit chain was last verified (AUDIT_VERIFY_MINUTES, or Verify now).",
      type: "gauge",
      samples:
        chain.state === "unverified"
          ? []
          : [
              {
                value: Math.max(0, Math.round((now.getTime() - chain.verifiedAt.getTime()) / 1000)),
              },
            ],
    },
    {
      name: "kyc_live_status_streams",
      help: "Open live status streams (this process).",
      type: "gauge",
      samples: [{ value: liveStreamCount() }],
    },
  ];
  return formatMetrics(families);
}

/** Bearer key check: `unset` when METRICS_TOKEN is not configured (the route answers 404). */
export function metricsAccess(authorization: string | null): "unset" | "refused" | "granted" {
  const token = env().operations.metricsToken;
  if (!token) return "unset";
  // Constant time over hashes (lib/identity/secrets.ts): neither content nor length leaks.
  return authorization?.startsWith("Bearer ") && safeEqual(authorization.slice(7), token)
    ? "granted"
    : "refused";
}
