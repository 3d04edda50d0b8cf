import { notFound } from "next/navigation";
import { connection } from "next/server";
import { env } from "@/lib/env";
import { withPageScope } from "@/lib/http/action-scope";

/** Benchmark floor: a bare dynamic page in the same layout (enabled by BENCH_ROUTES=1 only). */
async function FloorPage() {
  if (!env().benchRoutesEnabled) notFound();
  await connection();
  return (
    <main>
      <h1>floor</h1>
      <p>{new Date().toISOString()}</p>
    </main>
  );
}

export default withPageScope(FloorPage);
