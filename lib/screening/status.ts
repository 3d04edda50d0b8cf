/**
 * Each screening list's age and state, one answer for /api/health, /api/health/ready, the
 * console and the metrics. A list's age counts from when its source last confirmed the version
 * (an import, a same-bytes import, a 304), so a scheduled import of an unchanged list keeps it
 * fresh. A list is `stale` past SCREENING_LIST_MAX_AGE_HOURS, `failing` when its latest fetch
 * or import failed (the old entries still screen), `unreadable` when a stored entry of it does not
 * read (lib/screening/store.ts: no one is screened until an import writes it again; `entry` names
 * it), and `missing` when configured in
 * SANCTIONS_LIST_PATH but never imported. `configured` is false for a stored list that this
 * process's SANCTIONS_LIST_PATH no longer names (a file renamed or dropped): nothing updates it, so
 * it goes stale, and `npm run lists:remove` takes it out. Null where the process has no
 * SANCTIONS_LIST_PATH to compare with (the lists may be imported elsewhere).
 */
import { listScreeningLists } from "@/lib/db/queries/screening-lists";
import type { ScreeningList } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { sourceName } from "./import";

export type ListState = {
  source: string;
  status: "ok" | "stale" | "failing" | "unreadable" | "missing";
  /** Hours since the source last confirmed the list (null: never imported). */
  ageHours: number | null;
  checkedAt: string | null;
  entries: number;
  failedAt: string | null;
  failure: string | null;
  /** The id of a stored entry that does not read (status `unreadable`). */
  unreadableEntry: string | null;
  configured: boolean | null;
};

const HOUR_MS = 3_600_000;

export function listStates(
  lists: readonly ScreeningList[],
  configured: readonly string[],
  maxAgeHours: number | null,
  now: Date,
): ListState[] {
  const sources = new Set(configured.map(sourceName));
  const states: ListState[] = lists.map((l) => {
    const checkedAt = l.checkedAt ?? l.importedAt;
    const ageHours =
      Math.round(Math.max(0, (now.getTime() - checkedAt.getTime()) / HOUR_MS) * 10) / 10;
    const stale = maxAgeHours !== null && ageHours > maxAgeHours;
    return {
      source: l.source,
      status: l.unreadableEntry ? "unreadable" : l.failedAt ? "failing" : stale ? "stale" : "ok",
      ageHours,
      checkedAt: checkedAt.toISOString(),
      entries: l.entryCount,
      failedAt: l.failedAt?.toISOString() ?? null,
      failure: l.failure,
      unreadableEntry: l.unreadableEntry,
      configured: configured.length > 0 ? sources.has(l.source) : null,
    };
  });
  const known = new Set(lists.map((l) => l.source));
  for (const location of configured) {
    const source = sourceName(location);
    if (known.has(source)) continue;
    known.add(source);
    states.push({
      source,
      status: "missing",
      ageHours: null,
      checkedAt: null,
      entries: 0,
      failedAt: null,
      failure: null,
      unreadableEntry: null,
      configured: true,
    });
  }
  return states;
}

/** Every list's state now; `warning` when any list is not `ok`. */
export async function screeningListStates(now = new Date()): Promise<{
  warning: boolean;
  maxAgeHours: number | null;
  lists: ListState[];
}> {
  const maxAgeHours = env().operations.screeningListMaxAgeHours ?? null;
  const lists = listStates(
    await listScreeningLists(),
    env().checks.sanctionsListPaths,
    maxAgeHours,
    now,
  );
  return { warning: lists.some((l) => l.status !== "ok"), maxAgeHours, lists };
}
