/**
 * vendor_verifications — a case's verification at a vendor (lib/vendors; docs/vendors.md): one
 * row per case whose level a vendor verifies, from the moment the trader's screen starts it.
 *
 * Legal states (`status`): `started` (the vendor holds an applicant for the case; the trader is
 * capturing) → `captured` (the trader finished the vendor's capture; the verdict will come under
 * `verdict_reference`) → `completed` (a signed webhook said the verdict is final and `verdict`
 * holds it, or is null when the vendor's API answered that the reference its webhook named does
 * not exist: the checks warn `verdict_unavailable`). A later webhook for the same reference
 * replaces the verdict (the vendor re-reviewed) and moves `verdict_at`; the same verdict again
 * changes nothing.
 *
 * Invariants:
 * - `verdict` is a `VendorVerdict` (lib/vendors/verdict.ts vendorVerdictSchema), parsed by the
 *   writer and every reader; SDK tokens are never stored.
 * - (vendor, session_reference) is unique: a webhook names exactly one case.
 * - `verdict_at` newer than the case round's latest submission run makes the checks run again
 *   (lib/db/queries/checks.ts listCasesAwaitingChecks), so a verdict that arrives after the
 *   checks is never left out of them.
 */
import {
  index,
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

export const vendorVerifications = pgTable(
  "vendor_verifications",
  {
    caseId: uuid("case_id")
      .primaryKey()
      .references(() => kycCases.id, { onDelete: "restrict" }),
    vendor: text("vendor").notNull(),
    /** The vendor's id of the trader (Sumsub applicant, Onfido applicant). */
    sessionReference: text("session_reference").notNull(),
    /** The id the verdict comes under (Sumsub applicant, Onfido check); set at capture. */
    verdictReference: text("verdict_reference"),
    status: vendorVerificationStatus("status").notNull(),
    verdict: jsonb("verdict").$type<Record<string, unknown>>(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    capturedAt: timestamp("captured_at", { withTimezone: true }),
    verdictAt: timestamp("verdict_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("vendor_verifications_session_idx").on(t.vendor, t.sessionReference),
    index("vendor_verifications_verdict_idx").on(t.vendor, t.verdictReference),
  ],
);

export type VendorVerificationRow = typeof vendorVerifications.$inferSelect;
