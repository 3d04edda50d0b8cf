/**
 * A vendor's concerning verdict that arrived after the approval (lib/vendors/verification.ts opens
 * the `vendor_verdict` task) is a person's decision, one of two: take the approval back (a revoke,
 * lib/review/decisions.ts), or keep it. Keeping it is an approver's call, like taking it back, with
 * a note saying why the vendor's reasons do not change the decision: the note is the case's
 * history, and the audit trail and the broker's systems (`case.vendor_alert_cleared`, which lifts
 * the hold on the trading account) hear of it in the same transaction.
 */
import { closeVendorVerdictTask } from "@/lib/db/queries/vendors";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildVendorAlertCleared, CASE_VENDOR_ALERT_CLEARED } from "@/lib/delivery/payload";
import { AppError } from "@/lib/errors";
import { approversReason } from "./screening-hits";
import type { Reviewer } from "./types";

export async function keepApprovalAfterVendorVerdict(
  staff: Reviewer,
  caseId: string,
  input: { note: string },
  now = new Date(),
): Promise<void> {
  const note = approversReason(staff, input.note, "keeping an approval");
  const closed = await closeVendorVerdictTask({
    caseId,
    staffId: staff.id,
    internalNote: note,
    now,
    outbox: ({ eventId, sequence, moved, trader }) => ({
      type: CASE_VENDOR_ALERT_CLEARED,
      payload: buildVendorAlertCleared({
        eventId,
        sequence,
        occurredAt: now,
        kycCase: moved,
        trader,
      }),
      destinations: destinationIdsFor(CASE_VENDOR_ALERT_CLEARED),
    }),
  });
  if (!closed)
    throw new AppError("CONFLICT", "no vendor verdict task is open on this approved case", {
      reason: "no_vendor_task",
    });
}
