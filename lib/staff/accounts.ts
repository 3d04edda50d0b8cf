/**
 * Console accounts as operators manage them (`npm run staff:create`): create one with a role, or
 * set a new password; each audited.
 */
import "server-only";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { insertStaffUser, updateStaffPassword } from "@/lib/db/queries/staff";
import type { StaffRole } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { hashPassword } from "./passwords";

export async function createStaffAccount(input: {
  email: string;
  name?: string;
  role: StaffRole;
  password: string;
}): Promise<{ id: string }> {
  const staff = await insertStaffUser({
    email: input.email.toLowerCase(),
    displayName: input.name ?? input.email,
    role: input.role,
    passwordHash: await hashPassword(input.password),
  }).catch((error: unknown) => {
    if (/duplicate key|unique/i.test(String((error as { cause?: unknown }).cause ?? error)))
      throw new AppError("CONFLICT", `an account for ${input.email} already exists`);
    throw error;
  });
  await appendAuditEvent({
    actorType: "system",
    actorId: "staff:create",
    action: "staff.created",
    data: { staffId: staff.id, role: staff.role },
  });
  return { id: staff.id };
}

export async function resetStaffPassword(email: string, password: string): Promise<void> {
  if (!(await updateStaffPassword(email, await hashPassword(password))))
    throw new AppError("NOT_FOUND", "no such account");
  await appendAuditEvent({
    actorType: "system",
    actorId: "staff:create",
    action: "staff.password_reset",
    data: { email },
  });
}
