import { pingDatabase } from "@/lib/db/queries/health";
import { log } from "@/lib/log";

export async function GET() {
  try {
    await pingDatabase();
    return Response.json({ status: "ok", database: "ok" });
  } catch (error) {
    log.error("health.database", { error: error instanceof Error ? error.message : String(error) });
    return Response.json({ status: "degraded", database: "unreachable" }, { status: 503 });
  }
}
