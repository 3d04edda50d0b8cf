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

/** Why a case was opened in cTrader (kycType's trigger). */
export const CASE_TRIGGERS = [
  "first_deposit",
  "account_creation",
  "compliance_notice",
  "manual",
] as const;
