/**
 * The statuses a KYC case can be in, as one list shared by the database enum
 * (lib/db/schema/kyc-cases.ts), the state machine and the configuration (EMAIL_STATUSES).
 */
export const CASE_STATUSES = [
  "draft",
  "submitted",
  "in_review",
  "approved",
  "rejected",
  "action_required",
  "resubmitted",
  "expired",
] as const;
export type CaseStatusName = (typeof CASE_STATUSES)[number];

/**
 * The statuses the trader reads as one ("waiting", lib/kyc/trader-view.ts): submitted or
 * resubmitted, and in review, where the automated checks move a submission right away.
 */
export const WAITING_STATUSES = [
  "submitted",
  "resubmitted",
  "in_review",
] as const satisfies readonly CaseStatusName[];

/** Why a case was opened in cTrader (kycType's trigger). */
export const CASE_TRIGGERS = [
  "first_deposit",
  "account_creation",
  "compliance_notice",
  "manual",
] as const;
