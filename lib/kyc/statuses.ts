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

/**
 * The statuses an upgrade or an early renewal passes through while the approval it builds on
 * stays in force (`approved_level`): the CRM or the trader starting one, a request for more on
 * it. None of them is newer news than the approval; only a decision is.
 */
export const APPROVAL_STANDS_STATUSES = [
  "draft",
  ...WAITING_STATUSES,
  "action_required",
] as const satisfies readonly CaseStatusName[];

/** Why a case was opened in cTrader (kycType's trigger). */
export const CASE_TRIGGERS = [
  "first_deposit",
  "account_creation",
  "compliance_notice",
  "manual",
] as const;
