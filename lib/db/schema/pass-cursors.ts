/**
 * pass_cursors — where a housekeeping pass that walks a long list by keyset stopped, one row per
 * pass (today: `monitoring_settle`), so the next pass reads on from there instead of from the
 * head again: rows the pass reads and cannot act on (they wait for a person) would otherwise
 * fill every pass's bound, and those behind them would never be reached.
 *
 * Invariants:
 * - `after` is the id of the last row the pass read, or null: the next pass starts at the head.
 *   A row it names that is gone reads as the end of the list (the pass starts at the head).
 * - Only a position, never a lock: two passes at once may read the same rows; whatever they do
 *   to them is idempotent, and the last to finish says where the next starts.
 */
import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const passCursors = pgTable("pass_cursors", {
  name: text("name").primaryKey(),
  after: uuid("after"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});

export type PassCursor = typeof passCursors.$inferSelect;
