/**
 * `npm run worker`: delivers outbox events to every destination (webhooks to the broker CRM, the
 * cTrader account update, email to the trader) and runs housekeeping, until SIGTERM/SIGINT.
 * Run one or several next to the app (containers); they share the work through SKIP LOCKED.
 * Flags: --poll-ms=1000 --limit=20 --lease-ms=60000 (the lease must outlast the claim (1 s), one
 * attempt and 5 s: 15 s for a webhook, 30 s for an email, 45 s for the cTrader adapter; the worker
 * refuses to start with less than the slowest configured destination needs, and a case's events
 * are sent only while the lease has room, see lib/delivery/worker.ts) --housekeeping-ms (0 = off).
 * Configuration comes from the environment through lib/env.ts, exactly as for the app.
 */
import { errorMessage } from "@/lib/errors";
import { loadConfiguration } from "@/lib/server-start";
import { getDb } from "@/lib/db/client";
import { log } from "@/lib/log";
import { DEFAULT_LEASE_MS, minimumLeaseMs, runWorker } from "@/lib/delivery/worker";
import { runHousekeeping } from "@/lib/jobs/housekeeping";
import { startTelemetry } from "@/lib/telemetry";

const FLAGS = ["poll-ms", "limit", "lease-ms", "housekeeping-ms"] as const;

/**
 * Every argument is one of FLAGS as `--name=value`: a typo, or the space-separated form, would
 * otherwise leave the worker on its defaults without a word (housekeeping on, another lease).
 */
function checkArguments(args: readonly string[]): void {
  for (const arg of args)
    if (!FLAGS.some((name) => arg.startsWith(`--${name}=`)))
      throw new Error(
        `${arg}: the worker takes only ${FLAGS.map((n) => `--${n}=<number>`).join(", ")}`,
      );
}

function flag(name: (typeof FLAGS)[number], fallback: number, min = 1): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name}: a number ≥ ${min}`);
  return value;
}

const controller = new AbortController();
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    log.info("delivery.worker.stopping", { signal });
    controller.abort();
  });
}

async function main() {
  checkArguments(process.argv.slice(2));
  const config = loadConfiguration(); // fail fast on bad configuration, naming the variable
  // A lease shorter than one send would let another worker send it again while it runs; such a
  // worker would only ever give its claims back, so it does not start.
  const leaseMs = flag("lease-ms", DEFAULT_LEASE_MS);
  if (leaseMs < minimumLeaseMs())
    throw new Error(
      `--lease-ms=${leaseMs}: at least ${minimumLeaseMs()} (the claim, the slowest configured destination's longest send, and a margin)`,
    );
  if (config.telemetry) await startTelemetry(config.telemetry);
  if (config.isProduction && !config.audit.signingKey)
    log.warn("audit.signing_off", { why: "AUDIT_SIGNING_KEY unset: audit heads are not signed" });
  // The schema first (applied, or waited for with MIGRATE_ON_START=0): a missing migration ends
  // the worker with its name, where the delivery loop would retry a failing query for ever.
  await getDb();
  // Housekeeping beside the deliveries: pending checks, abandoned uploads (--housekeeping-ms=0: off).
  const housekeepingMs = flag("housekeeping-ms", 30_000, 0);
  const housekeeping = (async () => {
    while (housekeepingMs > 0 && !controller.signal.aborted) {
      await runHousekeeping().catch((error: unknown) =>
        console.error(`housekeeping: ${errorMessage(error)}`),
      );
      await new Promise((r) => setTimeout(r, housekeepingMs).unref?.());
    }
  })();
  await runWorker({
    signal: controller.signal,
    pollMs: flag("poll-ms", 1000),
    limit: flag("limit", 20),
    leaseMs,
  });
  await Promise.race([housekeeping, new Promise((r) => setTimeout(r, 1000))]);
  process.exit(0); // the database pool would keep the process alive
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
