/**
 * `npm run lists:import`: loads the configured list files (SANCTIONS_LIST_PATH) into the
 * database, where every process builds its screening index from. A file's version is the
 * SHA-256 of its bytes: the same file again changes nothing; a changed file replaces its
 * source's entries in one transaction. The source is named after the file (`sdn.csv` → `sdn`),
 * so renaming a file imports it as a new list and leaves the old one in place.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { replaceScreeningList } from "@/lib/db/queries/screening-lists";
import { AppError } from "@/lib/errors";
import { loadList, type LoadIssue } from "./loaders";

export type ListImport = {
  source: string;
  file: string;
  version: string;
  status: "unchanged" | "replaced";
  entries: number;
  issues: LoadIssue[];
};

/** `/lists/OFAC SDN.csv` → `ofac-sdn`. */
export function sourceName(file: string): string {
  const base = path.basename(file).replace(/\.[^.]*$/, "");
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  if (!name) throw new AppError("BAD_REQUEST", `cannot name a list after "${file}"`);
  return name;
}

export async function importListFile(file: string, now = new Date()): Promise<ListImport> {
  const bytes = readFileSync(file);
  const version = createHash("sha256").update(bytes).digest("hex");
  const source = sourceName(file);
  const loaded = loadList(bytes.toString("utf8"), source);
  if (loaded.entries.length === 0)
    throw new AppError("BAD_REQUEST", `${file}: no entries could be read`);
  const replaced = await replaceScreeningList({
    source,
    version,
    format: loaded.format,
    entries: loaded.entries,
    now,
  });
  return {
    source,
    file,
    version,
    status: replaced ? "replaced" : "unchanged",
    entries: loaded.entries.length,
    issues: loaded.issues,
  };
}

/** Imports each file; two files may not map to the same source name. */
export async function importListFiles(files: readonly string[], now = new Date()) {
  const names = files.map(sourceName);
  const clash = names.find((n, i) => names.indexOf(n) !== i);
  if (clash) throw new AppError("BAD_REQUEST", `two list files are both named "${clash}"`);
  const results: ListImport[] = [];
  for (const file of files) results.push(await importListFile(file, now));
  return results;
}
