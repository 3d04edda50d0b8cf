/**
 * The screening index of this process, built from the lists in the database
 * (`npm run lists:import` fills them). Building it from ~15,000 OFAC entries takes a while, so
 * it is built once and kept; the list versions are looked at again at most once a minute, and
 * the index is rebuilt only when one changed. Concurrent callers share one build.
 */
import { listScreeningLists, loadScreeningEntries } from "@/lib/db/queries/screening-lists";
import { buildIndex, type ScreeningIndex } from "./index";

export type LoadedIndex = { index: ScreeningIndex; versions: Record<string, string> };

const RECHECK_MS = 60_000;

type Cache = { key: string; loaded: LoadedIndex; checkedAt: number };
let cache: Cache | undefined;
let pending: Promise<LoadedIndex> | undefined;

async function refresh(now: number): Promise<LoadedIndex> {
  const lists = await listScreeningLists();
  const versions = Object.fromEntries(lists.map((l) => [l.source, l.version]));
  const key = JSON.stringify(versions);
  if (cache && cache.key === key) {
    cache.checkedAt = now;
    return cache.loaded;
  }
  const entries = lists.length > 0 ? await loadScreeningEntries() : [];
  const loaded = { index: buildIndex(entries), versions };
  cache = { key, loaded, checkedAt: now };
  return loaded;
}

/** The current index (empty when no list is imported). */
export async function getScreeningIndex(now = Date.now()): Promise<LoadedIndex> {
  if (cache && now - cache.checkedAt < RECHECK_MS) return cache.loaded;
  pending ??= refresh(now).finally(() => {
    pending = undefined;
  });
  return pending;
}

/** After an import in this process: look at the versions on the next call, not a minute later. */
export function invalidateScreeningIndex(): void {
  if (cache) cache.checkedAt = -Infinity;
}

/** Tests: forget the index entirely (another test file's database may hold other lists). */
export function resetScreeningIndex(): void {
  cache = undefined;
}
