/**
 * The `data` of the timeline events that ask something of the trader or say why a case was
 * rejected: `reject`, `revoke`, `retry`, `request_action`, `renew` and `upgrade`, and of the
 * others that store data (`submit`, `reopen`, `expire`, `renewal_due`). Each writer
 * builds the value with `.parse` of its schema here (lib/review/decisions.ts, lib/kyc/submission.ts,
 * lib/kyc/renewal.ts, lib/kyc/upgrade.ts); each reader reads it with `.safeParse` of the same
 * schema (lib/kyc/submission.ts, lib/review/case-summary.ts). SQL readers (lib/db/queries/review.ts,
 * lib/db/queries/dashboard.ts) name keys and values through the constants below, which are checked
 * against the schemas: renaming a key or a value breaks their compile instead of silently matching
 * nothing. `decline_upgrade` has its own schema beside its writer (lib/kyc/upgrade.ts).
 *
 * A row that fails its schema (written before a change, or by hand) is read on the safe side, and
 * logged (`case_event.data_unreadable`):
 * - a rejection is final to the trader, naming no reason: a retry offered on a guess could reopen
 *   the wrong items or go past the retry limit; an admin can still reopen the case;
 * - the retry limit counts every `reject` not recorded as final, so an unreadable one counts;
 * - a request, retry, renewal or upgrade names no items: a draft is the level's plain draft, a case
 *   waiting on the trader still shows the reviewer's message (its own column);
 * - the console's summary shows that something was asked, without items or reason; the dashboard
 *   counts a reason it cannot read as "unknown".
 */
import { z } from "zod";
import { checkRoute, riskLevel } from "@/lib/db/schema/case-checks";
import { type CaseEvent, PERIODIC_REVIEW_CLOSED_EVENT, RENEWAL_DUE_EVENT } from "./case-state";
import { requestedItemsSchema } from "./requested-items";

/** A reviewer's rejection: `retry` reopens `items` for the trader, `final` closes the case. */
export const rejectData = z.object({
  reasonCode: z.string().min(1),
  kind: z.enum(["retry", "final"]),
  /** What a retry reopens; empty for a final rejection. */
  items: requestedItemsSchema,
  /** Final although the reason is a retry one: the case was sent again MAX_RETRY_ROUNDS times. */
  retryLimitReached: z.literal(true).optional(),
  maxRetryRounds: z.number().int().nonnegative().optional(),
});
export type RejectData = z.infer<typeof rejectData>;

/** An approval taken back: always final, nothing to redo. */
export const revokeData = z.object({
  reasonCode: z.string().min(1),
  kind: z.literal("final"),
  items: z.array(z.never()).max(0),
});

/** The data of any event that leaves a case rejected (`reject` or `revoke`). */
export const rejectionData = z.union([rejectData, revokeData]);

/** The trader starts again after a retry rejection: the rejection's items and reason. */
export const retryData = z.object({
  items: requestedItemsSchema,
  reasonCode: z.string().min(1),
});

/** A reviewer asks for more information; the message is the event's own column. */
export const requestActionData = z.object({ items: requestedItemsSchema.min(1) });

/** The trader starts a renewal: the identity items (lib/kyc/renewal.ts RENEWAL_ITEMS). */
export const renewData = z.object({
  items: requestedItemsSchema,
  reasonCode: z.string().min(1),
});

/** A level upgrade opened: what the higher level adds beyond the approved one. */
export const upgradeData = z.object({
  fromLevel: z.string(),
  toLevel: z.string(),
  via: z.enum(["launch", "crm"]),
  items: requestedItemsSchema,
});

/**
 * A level upgrade or an early renewal refused (`decline_upgrade`): written by lib/review/decisions.ts,
 * read by the trader's status screen (lib/kyc/status-view.ts).
 */
export const declineUpgradeData = z.object({
  reasonCode: z.string(),
  /** The level asked for and refused; the approved one for a renewal. */
  fromLevel: z.string(),
  /** The level in force again. */
  toLevel: z.string(),
  /** The round whose answers and documents were put back (null: none was frozen). */
  restoredRound: z.number().int().nullable(),
  /** An early renewal, with the expiry of the document the approval rests on. */
  renewal: z.literal(true).optional(),
  documentExpiresOn: z.iso.date().nullable().optional(),
  /**
   * Not a reviewer's "no": the trader left the upgrade as a draft past the draft period and the
   * retention purge rolled it back (lib/retention/purge.ts); `reasonCode` is UPGRADE_LAPSED.
   */
  lapsed: z.literal(true).optional(),
});

/** A submission round: the steps the trader sent (`submit`, `resubmit`). */
export const submitData = z.object({ steps: z.array(z.string()) });

/** The checks moved the case (`start_review`, `approve` by the system): their run and verdict. */
export const checksRoutedData = z.object({
  runId: z.string(),
  route: z.enum(checkRoute.enumValues),
  level: z.enum(riskLevel.enumValues),
});

/** A person's `start_review` or `approve` stores none; the checks' store their run and verdict. */
const checksRoutedOrNone = z.union([checksRoutedData, z.strictObject({})]);

/** A rejected case opened again for review: the officer's reason (never shown to the trader). */
export const reopenData = z.object({ reason: z.string() });

/** An approval that lapsed with its document (lib/kyc/renewal.ts's sweep). */
export const expireData = z.object({
  reasonCode: z.string().min(1),
  documentExpiresOn: z.iso.date().nullable(),
});

/** The renewal notice (`renewal_due`, no status change): the expiry it is about. */
export const renewalDueData = z.object({ documentExpiresOn: z.iso.date() });

/** A periodic review task closed because the business relationship ended (no status change). */
export const periodicReviewClosedData = z.object({ taskId: z.string(), reason: z.string() });

/**
 * Every timeline event that stores data, with the schema it is written and read with; an event
 * not listed stores none. lib/kyc/cases.ts changeCaseStatus takes `CaseEventData` and nothing
 * else, so a writer cannot store a shape its readers have no schema for, and the scenario world
 * (tests/scenarios/support/world.ts) reads every event its flows stored against this map.
 */
export const CASE_EVENT_DATA = {
  submit: submitData,
  resubmit: submitData,
  start_review: checksRoutedOrNone,
  approve: checksRoutedOrNone,
  reject: rejectData,
  revoke: revokeData,
  retry: retryData,
  request_action: requestActionData,
  reopen: reopenData,
  expire: expireData,
  renew: renewData,
  upgrade: upgradeData,
  decline_upgrade: declineUpgradeData,
  [RENEWAL_DUE_EVENT]: renewalDueData,
  [PERIODIC_REVIEW_CLOSED_EVENT]: periodicReviewClosedData,
} as const satisfies Partial<
  Record<CaseEvent | typeof RENEWAL_DUE_EVENT | typeof PERIODIC_REVIEW_CLOSED_EVENT, z.ZodType>
>;

export type CaseEventData = {
  [E in keyof typeof CASE_EVENT_DATA]: z.infer<(typeof CASE_EVENT_DATA)[E]>;
};

/** Keys of T spelled as themselves: an object literal `satisfies` it only with keys T still has. */
type KeysOf<T> = { [K in keyof T & string]?: K };

/** The keys of a rejection's data that SQL reads (lib/db/queries/review.ts). */
export const REJECT_DATA_KEY = { kind: "kind" } as const satisfies KeysOf<RejectData>;

/** A rejection's `kind` values, as SQL compares them. */
export const REJECTION_KIND = {
  retry: "retry",
  final: "final",
} as const satisfies { [K in RejectData["kind"]]: K };

/**
 * The key the console's dashboard reads a decision's reason under (lib/db/queries/dashboard.ts):
 * every event that moves a case to an outcome with a reason (reject, revoke, decline_upgrade)
 * stores it under this one key.
 */
export const REASON_CODE_KEY = "reasonCode" as const satisfies keyof RejectData &
  keyof z.infer<typeof revokeData> &
  keyof z.infer<typeof declineUpgradeData>;

/**
 * What an asking event (request, retry, renewal, upgrade) or a rejection names: its items and its
 * reason, read with its event's schema; null when the data does not read (or the event asks
 * nothing). One reading for the trader's screens and the console's summary.
 */
export function askedOfTrader(event: {
  event: string;
  data: unknown;
}): { items: z.infer<typeof requestedItemsSchema>; reasonCode: string | null } | null {
  if (!Object.hasOwn(ASKING_EVENTS, event.event)) return null;
  const parsed = ASKING_EVENTS[event.event]?.safeParse(event.data);
  if (!parsed?.success) return null;
  return { items: parsed.data.items, reasonCode: parsed.data.reasonCode ?? null };
}

const ASKING_EVENTS: Partial<
  Record<string, z.ZodType<{ items: z.infer<typeof requestedItemsSchema>; reasonCode?: string }>>
> = {
  request_action: requestActionData,
  upgrade: upgradeData,
  retry: retryData,
  renew: renewData,
  reject: rejectData,
  revoke: revokeData,
};
