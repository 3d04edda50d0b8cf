/**
 * Legal hold: a compliance admin freezes a case against every purge rule (and an erasure
 * request is refused naming the hold) until an admin lifts it. Both are audited with the reason.
 */
import "server-only";
import { getCaseRetention, setCaseLegalHold } from "@/lib/db/queries/retention";
import { AppError } from "@/lib/errors";
import type { StaffPrincipal } from "@/lib/staff/auth";

export async function setLegalHold(
  staff: Pick<StaffPrincipal, "id" | "role">,
  caseId: string,
  hold: boolean,
  reason: string,
  now = new Date(),
): Promise<"legal_hold_set" | "legal_hold_lifted"> {
  if (staff.role !== "admin")
    throw new AppError("FORBIDDEN", "a legal hold needs the admin role", { reason: "needs_admin" });
  if (reason.trim().length < 10)
    throw new AppError("BAD_REQUEST", "write why", { reason: "reason_required" });
  const current = await getCaseRetention(caseId);
  if (current?.purgedAt)
    throw new AppError("CONFLICT", "the case was purged", { reason: "case_purged" });
  const done = await setCaseLegalHold({
    caseId,
    hold: hold ? { at: now, by: staff.id, reason: reason.trim() } : null,
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: hold ? "retention.legal_hold_set" : "retention.legal_hold_lifted",
      caseId,
      data: { reason: reason.trim() },
      occurredAt: now,
    },
  });
  if (!done) throw new AppError("CONFLICT", "the case was purged", { reason: "case_purged" });
  return hold ? "legal_hold_set" : "legal_hold_lifted";
}
