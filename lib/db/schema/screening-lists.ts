/**
 * screening_lists — the sanctions and PEP lists imported by `npm run lists:import`, one row per
 * source (a configured file, named after its file name).
 *
 * screening_entries — the parsed entries of each list (lib/screening/types.ts ListEntry as
 * jsonb), from which every process builds its in-memory screening index.
 *
 * Invariants:
 * - `version` is the SHA-256 of the file as imported: importing the same bytes again is a no-op.
 * - A changed file replaces all entries of its source, and the list row, in one transaction:
 *   screening never sees half a list, and `entry_count` equals the number of entries stored.
 * - (source, entry_id) is unique: entry_id is the list's own id (OFAC ent_num, or the generic
 *   CSV's id column or line number).
 * - `checked_at` is when the source last confirmed this version (an import of the same bytes, or
 *   a 304 to a conditional GET): the list's age counts from it, not from `imported_at`, since an
 *   unchanged list that was asked about an hour ago is an hour old.
 * - `etag` / `last_modified` are the validators of the response the version came from (URL
 *   sources only); they are sent back on the next fetch and only ever describe `version`.
 * - `failed_at` / `failure` describe the latest failed fetch or import since `checked_at` (null
 *   after a success). A failure never touches the entries: the old list stays in force.
 * - `unreadable_entry` is the id of a stored entry of `version` that does not read as a list entry
 *   (lib/screening/types.ts), found by a process building its index: screening does not run
 *   until an import writes the entries again (the same bytes too), which sets it back to null.
 */
import { integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import type { ListEntry } from "../../screening/types";

export const screeningLists = pgTable("screening_lists", {
  source: text("source").primaryKey(),
  version: text("version").notNull(),
  format: text("format").notNull(),
  importedAt: timestamp("imported_at", { withTimezone: true }).notNull(),
  entryCount: integer("entry_count").notNull(),
  /** The configured path or URL the version came from (null: imported before this was kept). */
  location: text("location"),
  checkedAt: timestamp("checked_at", { withTimezone: true }),
  etag: text("etag"),
  lastModified: text("last_modified"),
  failedAt: timestamp("failed_at", { withTimezone: true }),
  failure: text("failure"),
  unreadableEntry: text("unreadable_entry"),
});

export const screeningEntries = pgTable(
  "screening_entries",
  {
    source: text("source")
      .notNull()
      .references(() => screeningLists.source, { onDelete: "cascade" }),
    entryId: text("entry_id").notNull(),
    /** Parsed with listEntrySchema on the way in and on the way out. */
    entry: jsonb("entry").$type<ListEntry>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.entryId] })],
);

export type ScreeningList = typeof screeningLists.$inferSelect;
