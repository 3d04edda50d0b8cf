/**
 * How long the server-side check of an uploaded document takes (lib/documents/inspect.ts via the
 * confirm step): this process's observations since it started. Kept on globalThis so the route
 * bundles that observe and the metrics route that reads share one histogram.
 */
import { Histogram } from "./exposition";

const KEY = Symbol.for("inapp-kyc.metrics.document-check-seconds");

export function documentCheckSeconds(): Histogram {
  return ((globalThis as Record<symbol, unknown>)[KEY] ??= new Histogram(
    "kyc_document_check_duration_seconds",
    "Time to check one uploaded document on the server (this process).",
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  )) as Histogram;
}
