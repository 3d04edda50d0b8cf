/** What /api/health reports: the app answers and its database is reachable and migrated. */
import { pingDatabase } from "@/lib/db/queries/health";
import { errorMessage } from "@/lib/errors";
import { log } from "@/lib/log";

export async function systemHealth(): Promise<{ ok: boolean; database: "ok" | "unreachable" }> {
  try {
    await pingDatabase();
    return { ok: true, database: "ok" };
  } catch (error) {
    log.error("health.database", { error: errorMessage(error) });
    return { ok: false, database: "unreachable" };
  }
}
