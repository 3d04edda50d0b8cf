/**
 * A vendor's concerning verdict that arrived after the approval (lib/vendors/verification.ts opens
 * the `vendor_verdict` task) is a person's decision, one of two: take the approval back (a revoke,
 * lib/review/decisions.ts), or keep it. Keeping it is an approver's call, like taking it back, with
 * a note saying why the vendor's reasons do not change the decision: the note is the case's
 * history, and the audit trail and the broker's systems (`case.vendor_alert_cleared`, which lifts
 * the hold on the trading account) hear of it in the same transaction.
 *
 * The approval is kept on the verdict the approver read: a newer one replaces the data of a task
 * still open, so the keep form carries the task and the digest of its data as the page showed
 * them (`vendorTaskShown`), and the close takes the task only while both still hold.
 */
import { z } from "zod";
import { closeVendorVerdictTask } from "@/lib/db/queries/vendors";
import { destinationIdsFor } from "@/lib/delivery/destinations";
import { buildVendorAlertCleared, CASE_VENDOR_ALERT_CLEARED } from "@/lib/delivery/payload";
import { AppError } from "@/lib/errors";
import { approversReason } from "./screening-hits";
import type { Reviewer } from "./types";

/**
 * The vendor verdict task as the case page showed it: written by the page as the keep form's
 * hidden fields, read back by the action (one schema for both).
 */
export const vendorTaskShown = z.object({
  taskId: z.uuid(),
  /** md5 of the task's data as stored (getOpenReviewTask). */
  taskFingerprint: z.string().regex(/^[0-9a-f]{32}$/),
});
export type VendorTaskShown = z.infer<typeof vendorTaskShown>;

export async function keepApprovalAfterVendorVerdict(
  staff: Reviewer,
  caseId: string,
  /** `shown` undefined: the form did not say which verdict it showed (a page from before). */
  input: { note: string; shown: VendorTaskShown | undefined },
  now = new Date(),
): Promise<void> {
  const note = approversReason(staff, input.note, "keeping an approval");
  const closed = await closeVendorVerdictTask({
    caseId,
    staffId: staff.id,
    internalNote: note,
    asRead: input.shown
      ? { taskId: input.shown.taskId, fingerprint: input.shown.taskFingerprint }
      : null,
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
  if (closed === "none")
    throw new AppError("CONFLICT", "no vendor verdict task is open on this approved case", {
      reason: "no_vendor_task",
    });
  // The console answers `changed`: the page, read again, shows the verdict there is now.
  if (closed === "changed")
    throw new AppError("CONFLICT", "the vendor's verdict changed since the page was read");
}
