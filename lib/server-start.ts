import { env } from "@/lib/env";
import { getDb } from "@/lib/db/client";
import { log } from "@/lib/log";
import { levelsConfig } from "@/lib/kyc/levels";

/**
 * Fail fast on bad configuration (the message names the variable or the level file's problem) and apply database
 * migrations before the first request is served.
 */
export async function onServerStart(): Promise<void> {
  let config;
  let accelerator = null;
  try {
    config = env();
    levelsConfig();
    // IMAGE_ACCELERATOR=required: a missing or stale addon stops the start, not the first upload.
    // Otherwise it is loaded with the first document check, so a server (or a serverless cold
    // start) that only renders screens never loads sharp and libvips.
    if (config.documents.accelerator === "required") {
      const { loadImageAccelerator } = await import("@/lib/documents/image-accelerator");
      accelerator = loadImageAccelerator("required");
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  await getDb();
  log.info("server.ready", {
    database: config.database.kind,
    identityMode: config.identityMode,
    ctrader: config.ctrader.apiUrl ? "remote" : config.simulatorEnabled ? "simulator" : "none",
    documentCheck: accelerator ? "one decode" : "decided at the first check",
  });
}
