/**
 * `npm run lists:import` and the scheduled import: loads the configured lists
 * (SANCTIONS_LIST_PATH: files and https URLs) into the database, where every process builds its
 * screening index from. A list's version is the SHA-256 of its bytes: the same bytes again
 * change nothing but the time the list was last confirmed; changed bytes replace the source's
 * entries in one transaction. A URL is asked conditionally (lib/screening/fetch.ts): a 304
 * confirms the stored version without downloading it. The source is named after the file (or the
 * URL's last path segment: `…/sdn.csv` → `sdn`), so renaming one imports it as a new list and
 * leaves the old one in place.
 *
 * A source that cannot be read (missing file, refused or failed fetch, no entries, an entry that
 * does not fit the stored shape) is reported and noted on its list; its entries stay as they
 * were: a broken download never empties a list. A stored version one of whose entries no longer
 * reads (lib/screening/store.ts) is written again from its bytes, even unchanged.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  listScreeningLists,
  markScreeningListUnchanged,
  recordScreeningListFailure,
  replaceScreeningList,
} from "@/lib/db/queries/screening-lists";
import type { ScreeningList } from "@/lib/db/schema";
import { AppError, errorMessage } from "@/lib/errors";
import { log } from "@/lib/log";
import { fetchList, isListUrl, type ListFetchOptions } from "./fetch";
import { loadList, type LoadIssue } from "./loaders";

export type ListImport =
  | {
      source: string;
      file: string;
      version: string;
      status: "unchanged" | "replaced";
      entries: number;
      issues: LoadIssue[];
    }
  | { source: string; file: string; status: "failed"; error: string };

/** `/lists/OFAC SDN.csv` → `ofac-sdn`; `https://lists.example/v1/sdn.csv?x=1` → `sdn`. */
export function sourceName(location: string): string {
  const file = isListUrl(location) ? new URL(location).pathname : location;
  const base = path.basename(file).replace(/\.[^.]*$/, "");
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  if (!name) throw new AppError("BAD_REQUEST", `cannot name a list after "${location}"`);
  return name;
}

export type ImportOptions = Pick<ListFetchOptions, "allowPrivate" | "timeoutMs" | "maxBytes">;

async function importOne(
  location: string,
  source: string,
  stored: ScreeningList | undefined,
  now: Date,
  options: ImportOptions,
): Promise<ListImport> {
  let bytes: Buffer;
  let validators: { etag: string | null; lastModified: string | null } = {
    etag: null,
    lastModified: null,
  };
  if (isListUrl(location)) {
    // Validators belong to the stored version of this very URL; a new URL starts afresh, and so
    // does a version with an unreadable entry: a 304 would leave it unreadable.
    const same =
      stored?.location === location && stored.unreadableEntry === null ? stored : undefined;
    const answer = await fetchList(location, {
      ...options,
      etag: same?.etag ?? null,
      lastModified: same?.lastModified ?? null,
    });
    if (answer.status === "not_modified") {
      if (!same)
        throw new AppError("BAD_REQUEST", `${location}: 304 to a request without validators`);
      const origin = { location, etag: same.etag, lastModified: same.lastModified };
      await markScreeningListUnchanged(source, origin, now);
      return {
        source,
        file: location,
        version: same.version,
        status: "unchanged",
        entries: same.entryCount,
        issues: [],
      };
    }
    bytes = answer.bytes;
    validators = { etag: answer.etag, lastModified: answer.lastModified };
  } else {
    bytes = await readFile(location);
  }
  const version = createHash("sha256").update(bytes).digest("hex");
  const loaded = loadList(bytes.toString("utf8"), source);
  if (loaded.entries.length === 0)
    throw new AppError("BAD_REQUEST", `${location}: no entries could be read`);
  const replaced = await replaceScreeningList({
    source,
    version,
    format: loaded.format,
    entries: loaded.entries,
    now,
    origin: { location, ...validators },
  });
  return {
    source,
    file: location,
    version,
    status: replaced ? "replaced" : "unchanged",
    entries: loaded.entries.length,
    issues: loaded.issues,
  };
}

/**
 * Imports each location; two may not map to the same source name. A location that fails is
 * returned as `failed` (and logged, and noted on its list) while the others go on.
 */
export async function importListFiles(
  locations: readonly string[],
  now = new Date(),
  options: ImportOptions = {},
): Promise<ListImport[]> {
  const names = locations.map(sourceName);
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) throw new AppError("BAD_REQUEST", `two list files are both named "${clash}"`);
  const stored = new Map((await listScreeningLists()).map((l) => [l.source, l]));
  const results: ListImport[] = [];
  for (const [i, location] of locations.entries()) {
    const source = names[i] as string;
    try {
      results.push(await importOne(location, source, stored.get(source), now, options));
    } catch (error) {
      const message = errorMessage(error);
      await recordScreeningListFailure(source, message, now);
      log.warn("screening.list_import_failed", { source, location, error: message });
      results.push({ source, file: location, status: "failed", error: message });
    }
  }
  return results;
}
