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
 */
import { integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import type { ListEntry } from "../../screening/types";

export const screeningLists = pgTable("screening_lists", {
  source: text("source").primaryKey(),
  version: text("version").notNull(),
  format: text("format").notNull(),
  importedAt: timestamp("imported_at", { withTimezone: true }).notNull(),
  entryCount: integer("entry_count").notNull(),
});

export const screeningEntries = pgTable(
  "screening_entries",
  {
    source: text("source")
      .notNull()
      .references(() => screeningLists.source, { onDelete: "cascade" }),
    entryId: text("entry_id").notNull(),
    entry: jsonb("entry").$type<ListEntry>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.entryId] })],
);

export type ScreeningList = typeof screeningLists.$inferSelect;
