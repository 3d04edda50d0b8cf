/**
 * Health for load balancers and orchestrators:
 * - `systemHealth` (/api/health, kept for existing checks): the database answers, migrated.
 * - liveness (/api/health/live): the process answers; no dependency, so a database outage never
 *   makes an orchestrator restart healthy app processes.
 * - `readiness` (/api/health/ready): what serving traders needs — the database, the document
 *   storage, and (with SCREENING_LIST_MAX_AGE_HOURS) screening lists younger than that limit and
 *   none with an unreadable entry (nobody is screened meanwhile). Without it list problems are
 *   reported, never failing: the checks fail closed on their own, and traders keep their screens.
 *   Each part is bounded in time: a dependency that hangs reads as failed, not as a hung probe.
 *   It also reports the audit chain's latest verification (lib/audit/check.ts): when and with
 *   what result. A broken chain is for people to investigate (the `audit.chain_broken` line is the
 *   alert), not a reason to take the app out of the load balancer, so it never fails readiness.
 */
import { latestChainStatus } from "@/lib/audit/check";
import { documentKey, storage } from "@/lib/storage";
import { env } from "@/lib/env";
import { getOldestScreeningListImport, pingDatabase } from "@/lib/db/queries/health";
import { errorFacts } from "@/lib/errors";
import { log } from "@/lib/log";
import { screeningListStates, type ListState } from "@/lib/screening/status";

/** Each list's age and state (lib/screening/status.ts); `warning` never fails a probe. */
export type ScreeningListsHealth = {
  status: "ok" | "warning";
  maxAgeHours: number | null;
  lists: ListState[];
};

async function screeningListsHealth(now: Date): Promise<ScreeningListsHealth> {
  const states = await screeningListStates(now);
  return {
    status: states.warning ? "warning" : "ok",
    maxAgeHours: states.maxAgeHours,
    lists: states.lists,
  };
}

export async function systemHealth(now = new Date()): Promise<{
  ok: boolean;
  database: "ok" | "unreachable";
  screening?: ScreeningListsHealth;
}> {
  try {
    await pingDatabase();
    return { ok: true, database: "ok", screening: await screeningListsHealth(now) };
  } catch (error) {
    log.error("health.database", errorFacts(error));
    return { ok: false, database: "unreachable" };
  }
}

/** How long one part of the readiness check may take. */
export const READINESS_TIMEOUT_MS = 5_000;

export type Readiness = {
  ok: boolean;
  /** The parts that failed, in this order: database, storage, screening. */
  failed: ("database" | "storage" | "screening")[];
  database: "ok" | "unreachable";
  storage: "ok" | "unreachable";
  screening: {
    status: "ok" | "stale" | "missing" | "unreadable" | "unknown";
    /** Hours since the oldest list's current version was imported (null: none, or unknown). */
    ageHours: number | null;
    /** SCREENING_LIST_MAX_AGE_HOURS; null: the age is reported, never failing. */
    maxAgeHours: number | null;
    /** Each list (absent when the database could not say). */
    lists?: ListState[];
  };
  audit: {
    /** The latest verification's result; unknown when the database could not say. */
    chain: "intact" | "broken" | "unverified" | "unknown";
    lastVerifiedAt: string | null;
    problem: string | null;
  };
};

function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer in time`)),
      READINESS_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** One part, bounded in time: `{ ok: false }` (and a log line) if it throws or hangs. */
async function part<T>(
  name: string,
  work: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await within(work(), name) };
  } catch (error) {
    log.error(`health.${name}`, errorFacts(error));
    return { ok: false };
  }
}

export async function readiness(now = new Date()): Promise<Readiness> {
  const maxAgeHours = env().operations.screeningListMaxAgeHours ?? null;
  const [db, store] = await Promise.all([
    part("database", async () => {
      await pingDatabase();
      return Promise.all([
        getOldestScreeningListImport(),
        latestChainStatus(),
        screeningListStates(now),
      ]);
    }),
    // A well-formed key no document has: reaching the driver (bucket, credentials, directory)
    // is what is checked; the answer "no such object" is the healthy one.
    part("storage", () => storage().head(documentKey(NIL_UUID, NIL_UUID))),
  ]);
  const database = db.ok;
  const age = screeningListAge(db.ok ? db.value[0] : undefined, maxAgeHours, now);
  const unreadable = db.ok && db.value[2].lists.some((l) => l.status === "unreadable");
  const screening: Readiness["screening"] = {
    ...age,
    ...(unreadable && { status: "unreadable" }),
    ...(db.ok && { lists: db.value[2].lists }),
  };
  const chain = db.ok ? db.value[1] : undefined;
  const screeningOk =
    maxAgeHours === null ||
    (screening.status !== "stale" &&
      screening.status !== "missing" &&
      screening.status !== "unreadable");
  const failed: Readiness["failed"] = [];
  if (!database) failed.push("database");
  if (!store.ok) failed.push("storage");
  if (!screeningOk) failed.push("screening");
  return {
    ok: failed.length === 0,
    failed,
    database: database ? "ok" : "unreachable",
    storage: store.ok ? "ok" : "unreachable",
    screening,
    audit:
      chain === undefined
        ? { chain: "unknown", lastVerifiedAt: null, problem: null }
        : chain.state === "unverified"
          ? { chain: "unverified", lastVerifiedAt: null, problem: null }
          : {
              chain: chain.state,
              lastVerifiedAt: chain.verifiedAt.toISOString(),
              problem: chain.problem,
            },
  };
}

const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * The screening lists' age against the limit: `oldest` is when the least recently confirmed list
 * was confirmed by its source (null: none imported; undefined: the database could not say).
 */
export function screeningListAge(
  oldest: Date | null | undefined,
  maxAgeHours: number | null,
  now: Date,
): Readiness["screening"] {
  if (oldest === undefined) return { status: "unknown", ageHours: null, maxAgeHours };
  if (oldest === null) return { status: "missing", ageHours: null, maxAgeHours };
  const ageHours = Math.max(0, (now.getTime() - oldest.getTime()) / 3_600_000);
  return {
    status: maxAgeHours !== null && ageHours > maxAgeHours ? "stale" : "ok",
    ageHours: Math.round(ageHours * 10) / 10,
    maxAgeHours,
  };
}

/** The same, read now (for the daily cron). */
export async function currentScreeningListAge(now = new Date()): Promise<Readiness["screening"]> {
  const maxAgeHours = env().operations.screeningListMaxAgeHours ?? null;
  return screeningListAge(await getOldestScreeningListImport(), maxAgeHours, now);
}
