/**
 * The documents we send about a case, as versioned zod schemas: the contract with the broker's
 * CRM (and later the other destinations). A receiver dispatches on `type` + `version`; a change
 * that would break a receiver becomes version 2 next to version 1, never an edit of version 1.
 *
 * What is in it on purpose: identifiers the CRM already holds (cTrader userId, trading login, the
 * email cTrader gave us), the case's status change and the level's account limits, so the CRM
 * can act without calling back. What is not: document contents, names, dates of birth,
 * addresses, answers — the CRM fetches nothing it does not already have.
 */
import { z } from "zod";
import { monitoringTaskHit, type MonitoringTaskHit } from "@/lib/checks/monitoring-task";
import { caseStatus, caseTrigger } from "@/lib/db/schema";
import { CASE_EVENTS, type CaseEvent } from "@/lib/kyc/case-state";
import { getLevel } from "@/lib/kyc/levels";
import { SIGNALS, VENDORS, vendorVerdictSchema } from "@/lib/vendors/verdict";

export const CASE_STATUS_CHANGED = "case.status_changed";

const limits = z
  .strictObject({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .describe("ISO 4217 code of the amounts below."),
    /** null: no limit at this level. */
    maxDepositPerMonth: z
      .number()
      .nonnegative()
      .nullable()
      .describe("Deposits allowed per calendar month at this level; null: no limit."),
    maxWithdrawalPerMonth: z
      .number()
      .nonnegative()
      .nullable()
      .describe("Withdrawals allowed per calendar month at this level; null: no limit."),
    canTrade: z.boolean().describe("Whether the trader may trade at this level."),
  })
  .describe(
    "The account limits of the level in force (KYC_LEVELS): the approved level, before any approval the case's level; so the CRM need not look them up.",
  );

const approvedLevel = z
  .string()
  .nullable()
  .describe(
    "The level approved and in force now; null before the first approval. Lower than `level` while an upgrade waits for its decision: the trader keeps this level meanwhile.",
  );

const account = z
  .string()
  .regex(/^\d{1,18}$/)
  .nullable()
  .describe(
    "The trading account (cTrader login) the trader opened the screen from, as cTrader's `account` launch parameter named it and its redeem confirmed; null when it named none.",
  );

const sequence = z
  .number()
  .int()
  .positive()
  .describe(
    "Per-case order of events (increasing in the order the changes happened; numbers may be skipped, and a gap is not a lost event). Retries and replays repeat an event's number: a receiver that has applied a higher number for this case drops the event.",
  );

const caseRef = z.strictObject({
  id: z.uuid(),
  level: z.string().describe("The KYC level the case verifies (e.g. basic, standard, enhanced)."),
  status: z.enum(caseStatus.enumValues).describe("The status the case has now."),
  approvedLevel,
  account,
});

const traderRef = z.strictObject({
  ctraderUserId: z.number().int().describe("The trader's cTrader user id."),
  tradingLogin: z
    .number()
    .int()
    .nullable()
    .describe("The trading account, when cTrader named one."),
  /** As cTrader last gave it to us; not re-validated (a bad address must not block a change). */
  email: z.string().max(320).optional().describe("As cTrader last gave it; not re-validated."),
});

export const caseStatusChangedV1 = z.strictObject({
  type: z.literal(CASE_STATUS_CHANGED),
  version: z.literal(1),
  /** The outbox event id; the same value as the `webhook-id` header. */
  id: z
    .uuid()
    .describe("Event id, the same as the webhook-id header; every retry repeats it: dedupe on it."),
  occurredAt: z.iso
    .datetime({ offset: true })
    .describe("When the status changed (ISO 8601, with zone)."),
  sequence,
  case: z.strictObject({
    id: z.uuid(),
    level: z.string().describe("The KYC level the case verifies (e.g. basic, standard, enhanced)."),
    status: z.enum(caseStatus.enumValues).describe("The status the case has now."),
    previousStatus: z.enum(caseStatus.enumValues),
    trigger: z.enum(caseTrigger.enumValues).describe("What opened the case in cTrader."),
    approvedLevel,
    account,
  }),
  trader: traderRef,
  event: z
    .enum(Object.keys(CASE_EVENTS) as [CaseEvent, ...CaseEvent[]])
    .describe("What changed the status: the trader's or a reviewer's action, or expiry."),
  messageForTrader: z
    .string()
    .optional()
    .describe("What the reviewer asked of or told the trader, when there is something."),
  declined: z
    .enum(["upgrade", "renewal"])
    .optional()
    .describe(
      "On `decline_upgrade` only: what the reviewer refused, a level `upgrade` or an early `renewal` of the identity document at the same level. Either way the case is approved again at `approvedLevel`. An upgrade the trader left unfinished past the draft period is declined by the retention purge the same way (`upgrade`). Absent on other events (and on events stored before it was added).",
    ),
  limits,
});

export type CaseStatusChangedV1 = z.infer<typeof caseStatusChangedV1>;

export const CASE_MONITORING_HIT = "case.monitoring_hit";
export const CASE_MONITORING_CLEARED = "case.monitoring_cleared";

// The hit as the re-screening stores it on the monitoring task (one schema: what the task holds is
// what the CRM hears); names and explanations stay in the console.
const monitoringHit = monitoringTaskHit.describe(
  "A likely match found by re-screening; names stay in the console.",
);

/** What every monitoring event carries besides its type. */
const monitoringEnvelope = {
  version: z.literal(1),
  id: z.uuid().describe("Event id, the same as the webhook-id header."),
  occurredAt: z.iso.datetime({ offset: true }),
  sequence,
  case: caseRef,
  trader: traderRef,
  limits,
};

export const caseMonitoringHitV1 = z.strictObject({
  type: z.literal(CASE_MONITORING_HIT),
  ...monitoringEnvelope,
  hits: z.array(monitoringHit).min(1),
});

export const caseMonitoringClearedV1 = z.strictObject({
  type: z.literal(CASE_MONITORING_CLEARED),
  ...monitoringEnvelope,
});

export type CaseMonitoringHitV1 = z.infer<typeof caseMonitoringHitV1>;
export type CaseMonitoringClearedV1 = z.infer<typeof caseMonitoringClearedV1>;

export const CASE_RENEWAL_DUE = "case.renewal_due";

/**
 * The identity document of an approved case expires soon (RENEWAL_NOTICE_DAYS ahead): the case
 * stays approved until `documentExpiresOn`, when a `case.status_changed` with event `expire`
 * follows unless the trader renewed meanwhile.
 */
export const caseRenewalDueV1 = z.strictObject({
  type: z.literal(CASE_RENEWAL_DUE),
  ...monitoringEnvelope,
  documentExpiresOn: z.iso
    .date()
    .describe(
      "The identity document's expiry date (YYYY-MM-DD); the case expires on this day unless renewed.",
    ),
});
export type CaseRenewalDueV1 = z.infer<typeof caseRenewalDueV1>;

export const CASE_VENDOR_ALERT = "case.vendor_alert";
export const CASE_VENDOR_ALERT_CLEARED = "case.vendor_alert_cleared";

const vendorAlert = z
  .strictObject({
    name: z.enum(VENDORS).describe("The verification vendor."),
    outcome: vendorVerdictSchema.shape.outcome.describe(
      "The vendor's answer: `declined`, `review` (the vendor asks a person to look), or `approved` with a signal at consider.",
    ),
    considered: z
      .array(z.enum(SIGNALS))
      .describe("The vendor's signals at `consider` (its watchlist among them); may be empty."),
  })
  .describe("What the vendor said; its own labels and report stay in the console.");

/**
 * A vendor's verdict that does not clear the trader arrived after the case was approved: the
 * approval stands, a person is to decide, and the `monitoring_hit` access rights apply meanwhile.
 */
export const caseVendorAlertV1 = z.strictObject({
  type: z.literal(CASE_VENDOR_ALERT),
  ...monitoringEnvelope,
  vendor: vendorAlert,
});

/** An approver kept the approval after looking at the vendor's verdict: the hold is lifted. */
export const caseVendorAlertClearedV1 = z.strictObject({
  type: z.literal(CASE_VENDOR_ALERT_CLEARED),
  ...monitoringEnvelope,
});
export type CaseVendorAlertV1 = z.infer<typeof caseVendorAlertV1>;
export type CaseVendorAlertClearedV1 = z.infer<typeof caseVendorAlertClearedV1>;

export const CASE_ACCOUNT_CHANGED = "case.account_changed";

/**
 * The trader launched from another trading account than the case's access rights went to: the
 * cTrader account adapter sends the rights of now to the new one. Ours alone (only that
 * destination hears it), not part of the webhook contract: the CRM sees the account on the next
 * event it receives.
 */
export const caseAccountChangedV1 = z.strictObject({
  type: z.literal(CASE_ACCOUNT_CHANGED),
  ...monitoringEnvelope,
});
export type CaseAccountChangedV1 = z.infer<typeof caseAccountChangedV1>;

/** Every payload we may send; receivers can parse with this and switch on `type`/`version`. */
export const webhookPayload = z.discriminatedUnion("type", [
  caseStatusChangedV1,
  caseMonitoringHitV1,
  caseMonitoringClearedV1,
  caseRenewalDueV1,
  caseVendorAlertV1,
  caseVendorAlertClearedV1,
]);
export type WebhookPayload = z.infer<typeof webhookPayload>;

export type CaseStatusChangedFacts = {
  eventId: string;
  sequence: number;
  occurredAt: Date;
  kycCase: {
    id: string;
    level: string;
    trigger: CaseStatusChangedV1["case"]["trigger"];
    approvedLevel?: string | null;
    account?: string | null;
  };
  from: CaseStatusChangedV1["case"]["previousStatus"];
  to: CaseStatusChangedV1["case"]["status"];
  event: string;
  trader: { ctraderUserId: number; tradingLogin: number | null; email: string | null };
  messageForTrader?: string | null;
  declined?: CaseStatusChangedV1["declined"];
};

/** Builds (and validates: a payload we could not parse ourselves is never stored) a v1 event. */
export function buildCaseStatusChanged(facts: CaseStatusChangedFacts): CaseStatusChangedV1 {
  return caseStatusChangedV1.parse({
    type: CASE_STATUS_CHANGED,
    version: 1,
    id: facts.eventId,
    occurredAt: facts.occurredAt.toISOString(),
    sequence: facts.sequence,
    case: {
      id: facts.kycCase.id,
      level: facts.kycCase.level,
      status: facts.to,
      previousStatus: facts.from,
      trigger: facts.kycCase.trigger,
      approvedLevel: facts.kycCase.approvedLevel ?? null,
      account: facts.kycCase.account ?? null,
    },
    trader: traderFacts(facts.trader),
    event: facts.event,
    ...(facts.messageForTrader ? { messageForTrader: facts.messageForTrader } : {}),
    ...(facts.declined ? { declined: facts.declined } : {}),
    limits: limitsInForce(facts.kycCase),
  });
}

/** The limits of the approved level; before any approval, those of the case's level. */
function limitsInForce(kycCase: { level: string; approvedLevel?: string | null }) {
  return getLevel(kycCase.approvedLevel ?? kycCase.level).limits;
}

function traderFacts(trader: CaseStatusChangedFacts["trader"]) {
  return {
    ctraderUserId: trader.ctraderUserId,
    tradingLogin: trader.tradingLogin,
    ...(trader.email ? { email: trader.email } : {}),
  };
}

export type MonitoringFacts = {
  eventId: string;
  sequence: number;
  occurredAt: Date;
  kycCase: {
    id: string;
    level: string;
    status: CaseStatusChangedV1["case"]["status"];
    approvedLevel?: string | null;
    account?: string | null;
  };
  trader: CaseStatusChangedFacts["trader"];
};

export function buildMonitoringHit(
  facts: MonitoringFacts & { hits: MonitoringTaskHit[] },
): CaseMonitoringHitV1 {
  return caseMonitoringHitV1.parse({
    type: CASE_MONITORING_HIT,
    ...monitoringFields(facts),
    hits: facts.hits,
  });
}

export function buildMonitoringCleared(facts: MonitoringFacts): CaseMonitoringClearedV1 {
  return caseMonitoringClearedV1.parse({
    type: CASE_MONITORING_CLEARED,
    ...monitoringFields(facts),
  });
}

/** The envelope every monitoring-kind event carries besides its type (`monitoringEnvelope`). */
function monitoringFields(facts: MonitoringFacts) {
  return {
    version: 1,
    id: facts.eventId,
    occurredAt: facts.occurredAt.toISOString(),
    sequence: facts.sequence,
    case: caseFacts(facts.kycCase),
    trader: traderFacts(facts.trader),
    limits: limitsInForce(facts.kycCase),
  };
}

function caseFacts(kycCase: MonitoringFacts["kycCase"]) {
  return {
    id: kycCase.id,
    level: kycCase.level,
    status: kycCase.status,
    approvedLevel: kycCase.approvedLevel ?? null,
    account: kycCase.account ?? null,
  };
}

export function buildRenewalDue(
  facts: MonitoringFacts & { documentExpiresOn: string },
): CaseRenewalDueV1 {
  return caseRenewalDueV1.parse({
    type: CASE_RENEWAL_DUE,
    ...monitoringFields(facts),
    documentExpiresOn: facts.documentExpiresOn,
  });
}

export function buildVendorAlert(
  facts: MonitoringFacts & { vendor: z.input<typeof vendorAlert> },
): CaseVendorAlertV1 {
  return caseVendorAlertV1.parse({
    type: CASE_VENDOR_ALERT,
    ...monitoringFields(facts),
    vendor: facts.vendor,
  });
}

export function buildVendorAlertCleared(facts: MonitoringFacts): CaseVendorAlertClearedV1 {
  return caseVendorAlertClearedV1.parse({
    type: CASE_VENDOR_ALERT_CLEARED,
    ...monitoringFields(facts),
  });
}

export function buildAccountChanged(facts: MonitoringFacts): CaseAccountChangedV1 {
  return caseAccountChangedV1.parse({
    type: CASE_ACCOUNT_CHANGED,
    ...monitoringFields(facts),
  });
}

/**
 * An event as the outbox holds it, read back by the destinations we run ourselves (the e-mail and
 * the cTrader account): the schemas above, with three allowances. Fields added after the first
 * release (`sequence`, `case.approvedLevel`, `case.account`) may be missing and `event` may name
 * a transition since renamed, so an event an older version wrote, still pending or replayed from
 * the dead letters after an upgrade, is delivered; keys this version does not know are dropped,
 * not refused, so an event a newer replica wrote is delivered during a rolling deploy. Receivers
 * outside keep the strict schemas: they are the contract.
 */
const storedCase = z.object({
  ...caseRef.shape,
  approvedLevel: approvedLevel.optional(),
  account: account.optional(),
});
const storedEnvelope = {
  ...monitoringEnvelope,
  sequence: sequence.optional(),
  case: storedCase,
  trader: z.object(traderRef.shape),
  limits: z.object(limits.shape),
};
export const storedPayload = z.discriminatedUnion("type", [
  z.object({
    ...storedEnvelope,
    type: z.literal(CASE_STATUS_CHANGED),
    case: storedCase.extend({
      previousStatus: caseStatusChangedV1.shape.case.shape.previousStatus,
      trigger: caseStatusChangedV1.shape.case.shape.trigger,
    }),
    event: z.string(),
    messageForTrader: caseStatusChangedV1.shape.messageForTrader,
    declined: caseStatusChangedV1.shape.declined,
  }),
  z.object({
    ...storedEnvelope,
    type: z.literal(CASE_MONITORING_HIT),
    hits: z.array(z.object(monitoringHit.shape)).min(1),
  }),
  z.object({ ...storedEnvelope, type: z.literal(CASE_MONITORING_CLEARED) }),
  z.object({
    ...storedEnvelope,
    type: z.literal(CASE_RENEWAL_DUE),
    documentExpiresOn: caseRenewalDueV1.shape.documentExpiresOn,
  }),
  z.object({
    ...storedEnvelope,
    type: z.literal(CASE_VENDOR_ALERT),
    vendor: z.object(vendorAlert.shape),
  }),
  z.object({ ...storedEnvelope, type: z.literal(CASE_VENDOR_ALERT_CLEARED) }),
  z.object({ ...storedEnvelope, type: z.literal(CASE_ACCOUNT_CHANGED) }),
]);
export type StoredPayload = z.infer<typeof storedPayload>;

/**
 * The two facts the delivery worker orders and withholds events by (lib/delivery/worker.ts): the
 * case and the sequence, taken from the stored envelope's own parts. Read on their own, so an
 * event stored by an earlier version keeps its place in its case's order even where the rest of
 * it no longer matches `storedPayload`.
 */
const storedEventFacts = z.object({
  case: z.object({ id: caseRef.shape.id }),
  sequence: sequence.optional(),
});

export function readEventFacts(value: unknown): { caseId: string; sequence: number } | null {
  const parsed = storedEventFacts.safeParse(value);
  return parsed.success
    ? { caseId: parsed.data.case.id, sequence: parsed.data.sequence ?? 0 }
    : null;
}

/** A stored event, or where it fails its schema (paths only, never values: they may be personal). */
export function readStoredPayload(value: unknown): { payload: StoredPayload } | { error: string } {
  const parsed = storedPayload.safeParse(value);
  if (parsed.success) return { payload: parsed.data };
  const paths = parsed.error.issues.map((issue) => issue.path.map(String).join(".") || "(root)");
  return {
    error: `the stored event does not match its schema at ${[...new Set(paths)].join(", ")}`,
  };
}
