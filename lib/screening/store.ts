/**
 * The screening index of this process, built from the lists in the database
 * (`npm run lists:import` fills them). Building it from ~15,000 OFAC entries takes a while, so
 * it is built once and kept, and rebuilt only when a list's version changed. The versions are
 * looked at on every call (one small query): a case is screened against the lists in force, not
 * the ones another process replaced a moment ago, since its approval needs exactly those
 * (lib/kyc/cases.ts). Concurrent callers share one build.
 *
 * Fail closed: a stored entry that does not read (lib/screening/types.ts) stops the build. An
 * index without it would screen everyone against a list that silently lacks that person, so the
 * checks and re-screenings that ask for the index fail instead (the case page shows the failure
 * with its retry), and the list is marked unreadable for /api/health and the console's warning
 * until an import writes its entries again.
 */
import {
  listScreeningLists,
  loadScreeningEntries,
  markScreeningListUnreadable,
  type UnreadableEntry,
} from "@/lib/db/queries/screening-lists";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { buildIndex, type ScreeningIndex } from "./index";

export type LoadedIndex = { index: ScreeningIndex; versions: Record<string, string> };

type Cache = { key: string; loaded: LoadedIndex };
let cache: Cache | undefined;
let pending: { key: string; promise: Promise<LoadedIndex> } | undefined;

async function build(key: string, versions: Record<string, string>): Promise<LoadedIndex> {
  const { entries, unreadable } =
    Object.keys(versions).length > 0
      ? await loadScreeningEntries()
      : { entries: [], unreadable: [] };
  if (unreadable.length > 0) await refuseUnreadable(unreadable, versions);
  const loaded = { index: buildIndex(entries), versions };
  // A build overtaken by one for newer versions does not replace what that one keeps.
  if (pending === undefined || pending.key === key) cache = { key, loaded };
  return loaded;
}

/** One list's unreadable entries in words: the first by id, its problem, and how many more. */
function unreadableProblem(source: string, entries: readonly UnreadableEntry[]): string {
  const first = entries[0]!;
  const more = entries.length > 1 ? ` (and ${entries.length - 1} more)` : "";
  return `screening list ${source}: entry ${first.entryId} cannot be read${more}: ${first.problem}`;
}

async function refuseUnreadable(
  unreadable: readonly UnreadableEntry[],
  versions: Record<string, string>,
): Promise<never> {
  const problems: string[] = [];
  for (const source of [...new Set(unreadable.map((u) => u.source))]) {
    const ofSource = unreadable.filter((u) => u.source === source);
    problems.push(unreadableProblem(source, ofSource));
    log.error("screening.entry_unreadable", {
      source,
      entryIds: ofSource.slice(0, 20).map((u) => u.entryId),
    });
    const version = versions[source];
    if (version !== undefined)
      await markScreeningListUnreadable(source, version, ofSource[0]!.entryId);
  }
  throw new AppError(
    "CONFIG",
    `${problems.join("; ")}. Screening does not run on a partial list: import the list again`,
  );
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
