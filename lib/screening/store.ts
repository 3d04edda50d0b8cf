/**
 * The screening index of this process, built from the lists in the database
 * (`npm run lists:import` fills them). Building it from ~15,000 OFAC entries takes a while, so
 * it is built once and kept, and rebuilt only when a list's version changed. The versions are
 * looked at on every call (one small query): a case is screened against the lists in force, not
 * the ones another process replaced a moment ago, since its approval needs exactly those
 * (lib/kyc/cases.ts). Concurrent callers share one build.
 */
import { listScreeningLists, loadScreeningEntries } from "@/lib/db/queries/screening-lists";
import { buildIndex, type ScreeningIndex } from "./index";

export type LoadedIndex = { index: ScreeningIndex; versions: Record<string, string> };

type Cache = { key: string; loaded: LoadedIndex };
let cache: Cache | undefined;
let pending: { key: string; promise: Promise<LoadedIndex> } | undefined;

async function build(key: string, versions: Record<string, string>): Promise<LoadedIndex> {
  const entries = Object.keys(versions).length > 0 ? await loadScreeningEntries() : [];
  const loaded = { index: buildIndex(entries), versions };
  // A build overtaken by one for newer versions does not replace what that one keeps.
  if (pending === undefined || pending.key === key) cache = { key, loaded };
  return loaded;
}

/** The index of the lists in force now (empty when no list is imported). */
export async function getScreeningIndex(): Promise<LoadedIndex> {
  const lists = await listScreeningLists();
  const versions = Object.fromEntries(lists.map((l) => [l.source, l.version]));
  const key = JSON.stringify(versions);
  if (cache?.key === key) return cache.loaded;
  // A build for other versions (older, or newer than these) is not waited on: built anew.
  if (pending?.key !== key) {
    const promise = build(key, versions).finally(() => {
      if (pending?.promise === promise) pending = undefined;
    });
    pending = { key, promise };
  }
  return pending.promise;
}

/** Tests: forget the index entirely (another test file's database may hold other lists). */
export function resetScreeningIndex(): void {
  cache = undefined;
}
