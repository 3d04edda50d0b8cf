import { notFound } from "next/navigation";
import { connection } from "next/server";
import { env } from "@/lib/env";

/** Benchmark floor: a bare dynamic page in the same layout (enabled by BENCH_ROUTES=1 only). */
export default async function FloorPage() {
  if (!env().benchRoutesEnabled) notFound();
  await connection();
  return (
    <main>
      <h1>floor</h1>
      <p>{new Date().toISOString()}</p>
    </main>
  );
}
