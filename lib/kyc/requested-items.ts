/**
 * What a reviewer's request, a retry, a renewal or an upgrade asks the trader to redo: the
 * `items` of those timeline events, written by lib/review and lib/kyc and read by the screens,
 * the case summary and the vendor verification.
 */
import { z } from "zod";
import { STEPS } from "./levels";

const requestedItemSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("step"), step: z.enum(STEPS) }),
  z.object({
    kind: z.literal("document"),
    // A selfie only where the case's level asks for one (requestMoreInformation refuses it else).
    documentType: z.enum(["identity", "address", "additional", "selfie"]),
    reason: z.string().max(1000).optional(),
  }),
]);
export const requestedItemsSchema = z.array(requestedItemSchema).max(20);

/** Events whose `items` reopen parts of a case for the trader. */
const REOPENING_EVENTS = new Set(["request_action", "retry", "renew"]);

/**
 * When the case last asked for its identity evidence again: a request, retry or renewal naming
 * the identity document, or an upgrade (a higher level may be verified more strictly). Null
 * when it never did. A declined upgrade (or early renewal) takes its round's asks back: the
 * approved round's evidence is the case's again (lib/review/decisions.ts), so the answer is what
 * it was before the upgrade or renewal opened. `events` in commit order.
 */
export function identityReopenedAt(
  events: readonly { event: string; occurredAt: Date; data?: unknown }[],
): Date | null {
  let reopened: Date | null = null;
  let beforeOpening: Date | null = null;
  for (const e of events) {
    if (e.event === "decline_upgrade") {
      reopened = beforeOpening;
      continue;
    }
    if (e.event === "upgrade" || e.event === "renew") beforeOpening = reopened;
    if (e.event === "upgrade" || (REOPENING_EVENTS.has(e.event) && namesIdentity(e.data)))
      reopened = e.occurredAt;
  }
  return reopened;
}

function namesIdentity(data: unknown): boolean {
  const items = requestedItemsSchema.safeParse((data as { items?: unknown } | null)?.items);
  return (
    items.success && items.data.some((i) => i.kind === "document" && i.documentType === "identity")
  );
}
