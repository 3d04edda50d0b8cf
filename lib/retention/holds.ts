/**
 * Legal hold: a compliance admin freezes a case against every purge rule (and an erasure
 * request is refused naming the hold) until an admin lifts it. Both are audited with the reason.
 *
 * The case page's hold form carries the hold it showed (HOLD_SHOWN_FIELD): a "Lift" removes only
 * that hold, and a "Set" only when the page showed none. Two admins on one case each see the
 * other's change as `changed` instead of lifting a hold they never read.
 */
import "server-only";
import { z } from "zod";
import { getCaseRetention, setCaseLegalHold } from "@/lib/db/queries/retention";
import { AppError } from "@/lib/errors";
import type { StaffPrincipal } from "@/lib/staff/auth";

/** The hold form's field naming the hold the page showed. */
export const HOLD_SHOWN_FIELD = "shownHold";
const NO_HOLD = "none";

/**
 * The shown hold as the page writes it and the action reads it: the moment it was set (ISO), or
 * `none`. Anything else (an old page, a forged form) parses to undefined and changes nothing.
 */
export const holdShown = z.union([
  z.literal(NO_HOLD).transform(() => null),
  z.iso.datetime().transform((at) => new Date(at)),
]);

export const holdShownValue = (at: Date | null): string => (at ? at.toISOString() : NO_HOLD);

export async function setLegalHold(
  staff: Pick<StaffPrincipal, "id" | "role">,
  caseId: string,
  input: { hold: boolean; reason: string; shown: Date | null | undefined },
  now = new Date(),
): Promise<"legal_hold_set" | "legal_hold_lifted"> {
  const { hold, shown } = input;
  const reason = input.reason.trim();
  if (staff.role !== "admin")
    throw new AppError("FORBIDDEN", "a legal hold needs the admin role", { reason: "needs_admin" });
  if (reason.length < 10)
    throw new AppError("BAD_REQUEST", "write why", { reason: "reason_required" });
  if ((await getCaseRetention(caseId))?.purgedAt)
    throw new AppError("CONFLICT", "the case was purged", { reason: "case_purged" });
  // A set is offered only where the page showed no hold, a lift only where it showed one: any
  // other pairing is a form that did not come from the page as it is (nothing is done).
  if (shown === undefined || (hold ? shown !== null : shown === null))
    throw new AppError("CONFLICT", "the hold is not the one the page showed", {
      reason: "changed",
    });
  const done = await setCaseLegalHold({
    caseId,
    shown,
    hold: hold ? { at: now, by: staff.id, reason } : null,
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: hold ? "retention.legal_hold_set" : "retention.legal_hold_lifted",
      caseId,
      data: { reason },
      occurredAt: now,
    },
  });
  if (done === "purged")
    throw new AppError("CONFLICT", "the case was purged", { reason: "case_purged" });
  if (done === "changed")
    throw new AppError("CONFLICT", "the hold is not the one the page showed", {
      reason: "changed",
    });
  return hold ? "legal_hold_set" : "legal_hold_lifted";
}
