/**
 * case_search_terms — a blind index of what the console searches but the database must not hold
 * in clear: the words of the trader's name and the identity document number, each as a keyed
 * hash (HMAC-SHA-256, key derived from APP_SECRET for this purpose only; lib/review/search.ts).
 * Equal inputs give equal hashes, so an exact word or number is found; nothing can be read back.
 *
 * Invariants:
 * - Rows describe the case's latest submitted round (`kyc_cases.search_round`): the submit
 *   replaces them in its transaction, the worker writes them for cases submitted before.
 * - `kind` is `name` (one row per normalised word, in the script written and transliterated to
 *   Latin) or `document_number` (the normalised number).
 */
import { index, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";

export const caseSearchTerms = pgTable(
  "case_search_terms",
  {
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["name", "document_number"] }).notNull(),
    termHash: text("term_hash").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.termHash, t.kind, t.caseId] }),
    index("case_search_terms_case_idx").on(t.caseId),
  ],
);

export type CaseSearchTerm = typeof caseSearchTerms.$inferSelect;
