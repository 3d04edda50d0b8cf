import { env, type Env } from "@/lib/env";
import { checkAuditKeys } from "@/lib/audit/signing";
import { riskConfig } from "@/lib/checks/risk";
import { getDb } from "@/lib/db/client";
import { log } from "@/lib/log";
import { levelsConfig } from "@/lib/kyc/levels";
import { startTelemetry } from "@/lib/telemetry";

/**
 * Every configuration a process reads, checked before it serves or works: the variables, the
 * level and risk files, the audit keys. A mistake in any stops the start naming the variable
 * (throws), instead of failing every submitted case's checks hours later.
 */
export function loadConfiguration(): Env {
  const config = env();
  levelsConfig();
  riskConfig();
  checkAuditKeys();
  return config;
}

/**
 * Fail fast on bad configuration (the message names the variable or the level file's problem) and
 * bring the database to the schema this code needs before the first request is served: apply the
 * pending migrations, or with MIGRATE_ON_START=0 wait for them and exit naming what is missing.
 */
export async function onServerStart(): Promise<void> {
  let config;
  try {
    config = loadConfiguration();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
    return;
  }
  if (config.isProduction && config.simulatorEnabled)
    log.warn("server.simulator_in_production", {
      message:
        "DEV_SIMULATOR is on: /dev/ctrader starts a session for any trader id. Demos only, never with real traders.",
    });
  if (config.telemetry) await startTelemetry(config.telemetry);
  try {
    await getDb();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
    return;
  }
  log.info("server.ready", {
    database: config.database.kind,
    identityMode: config.identityMode,
    ctrader: config.ctrader.apiUrl ? "remote" : config.simulatorEnabled ? "simulator" : "none",
  });
}
