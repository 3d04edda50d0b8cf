import { systemHealth } from "@/lib/health";

export async function GET() {
  const health = await systemHealth();
  return Response.json(
    {
      status: health.ok ? "ok" : "degraded",
      database: health.database,
      ...(health.screening && { screening: health.screening }),
    },
    { status: health.ok ? 200 : 503 },
  );
}
