/**
 * The `data` of the timeline events that ask something of the trader or say why a case was
 * rejected: `reject`, `revoke`, `retry`, `request_action`, `renew` and `upgrade`. Each writer
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
import { requestedItemsSchema } from "./requested-items";
import type { declineUpgradeData } from "./upgrade";

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
