/**
 * vendor_verifications — a case's verification at a vendor (lib/vendors; docs/vendors.md): one
 * row per case whose level a vendor verifies, from the moment the trader's screen starts it: the
 * capture in force. A capture it replaces (a new round asked for the identity again and the
 * trader started over) moves to vendor_verification_history in the same transaction, so the
 * evidence an approval rests on outlives an upgrade's (or early renewal's) new capture; declining
 * that upgrade moves the approved round's capture back (lib/db/queries/vendors.ts
 * restoreApprovedVendorCapture) and the upgrade's to the history.
 *
 * Legal states (`status`): `started` (the vendor holds an applicant for the case; the trader is
 * capturing) → `captured` (the trader finished the vendor's capture; the verdict will come under
 * `verdict_reference`) → `completed` (a signed webhook said the verdict is final and `verdict`
 * holds it, or is null when the vendor's API answered that the reference its webhook named does
 * not exist: the checks warn `verdict_unavailable`). A later webhook for the same reference
 * replaces the verdict (the vendor re-reviewed) and moves `verdict_at`, the row as it was going
 * to vendor_verification_history first; the same verdict again changes nothing.
 *
 * Invariants:
 * - `verdict` is a `VendorVerdict` (lib/vendors/verdict.ts vendorVerdictSchema), parsed by the
 *   writer and every reader; SDK tokens are never stored.
 * - (vendor, session_reference) is unique: a webhook names exactly one case.
 * - `round` is the submission round the capture is made for (the case's `round` + 1 when it
 *   started): the approved round's capture is the latest with `round` <= the approved round, and
 *   an upgrade's own captures have a higher one.
 * - `verdict_at` newer than the case round's latest submission run makes the checks run again
 *   (lib/db/queries/checks.ts listCasesAwaitingChecks), so a verdict that arrives after the
 *   checks is never left out of them.
 */
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";

export const vendorVerificationStatus = pgEnum("vendor_verification_status", [
  "started",
  "captured",
  "completed",
]);

/** One capture's columns, the same in force and in the history (fresh builders per table). */
const captureColumns = () => ({
  vendor: text("vendor").notNull(),
  /** The submission round the capture is made for: the case's `round` + 1 at the start. */
  round: integer("round").notNull(),
  /** The vendor's id of the trader (Sumsub applicant, Onfido applicant). */
  sessionReference: text("session_reference").notNull(),
  /** The id the verdict comes under (Sumsub applicant, Onfido check); set at capture. */
  verdictReference: text("verdict_reference"),
  status: vendorVerificationStatus("status").notNull(),
  verdict: jsonb("verdict").$type<Record<string, unknown>>(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  capturedAt: timestamp("captured_at", { withTimezone: true }),
  verdictAt: timestamp("verdict_at", { withTimezone: true }),
});

export const vendorVerifications = pgTable(
  "vendor_verifications",
  {
    caseId: uuid("case_id")
      .primaryKey()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    ...captureColumns(),
  },
  (t) => [
    uniqueIndex("vendor_verifications_session_idx").on(t.vendor, t.sessionReference),
    index("vendor_verifications_verdict_idx").on(t.vendor, t.verdictReference),
  ],
);

export type VendorVerificationRow = typeof vendorVerifications.$inferSelect;

/**
 * vendor_verification_history — captures of a case that a later one replaced, as they were when
 * replaced (`replaced_at`); `id` orders them. Evidence only: a late verdict naming a replaced
 * capture's reference is answered `unknown_reference` and changes nothing here, except on the
 * capture the approval in force rests on (the latest with `round` <= the approved round, while a
 * later round's capture is in force): its verdict is stored on its row here and may hold the
 * approval (lib/db/queries/vendors.ts lockNamingRow). A declined upgrade moves the approved round's
 * capture back to vendor_verifications (deleting it here) and the upgrade's capture in here. The
 * same invariants on `verdict` and `round` as vendor_verifications; no uniqueness on the
 * references (a vendor may reuse an applicant across rounds). Deleted with the case's data
 * (lib/db/queries/retention.ts), exported to the trader (lib/db/queries/subject-access.ts).
 */
export const vendorVerificationHistory = pgTable(
  "vendor_verification_history",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    ...captureColumns(),
    replacedAt: timestamp("replaced_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("vendor_verification_history_case_idx").on(t.caseId, t.round)],
);

export type VendorVerificationHistoryRow = typeof vendorVerificationHistory.$inferSelect;
