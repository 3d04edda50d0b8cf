/**
 * Staff login and console sessions, separate from traders' in every way: their own table, their
 * own cookie (`__Host-kyc_staff`, SameSite=Strict: the console is never framed), their own
 * lifetimes (30 minutes idle, 8 hours absolute).
 *
 * Login is throttled: after 5 failed attempts for one email, or 30 from one client, within
 * 15 minutes, further attempts are refused without checking the password, until the window
 * passes. Every login, failure and logout is audited.
 */
import "server-only";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import {
  countRecentFailures,
  getLiveStaffSession,
  getStaffByEmail,
  insertStaffSession,
  recordLoginAttempt,
  revokeStaffSession,
} from "@/lib/db/queries/staff";
import type { StaffRole, StaffUser } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { deriveKey, hmac, newToken, sha256, TOKEN_PATTERN } from "@/lib/identity/secrets";
import { dummyHash, verifyPassword } from "./passwords";

export const STAFF_COOKIE = "__Host-kyc_staff";
export const STAFF_IDLE_MINUTES = 30;
export const STAFF_ABSOLUTE_HOURS = 8;
export const THROTTLE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_CLIENT = 30;

export type StaffCookie = {
  name: string;
  value: string;
  httpOnly: true;
  secure: true;
  sameSite: "strict";
  path: "/";
  maxAge: number;
};

export type LoginResult =
  | { ok: true; cookie: StaffCookie; staff: Pick<StaffUser, "id" | "role" | "displayName"> }
  | { ok: false; reason: "invalid" | "throttled" };

/** Keyed hashes: the attempts table never holds an email or an address in the clear. */
function attemptKey(kind: string, value: string): string {
  return hmac(deriveKey(env().appSecret, "staff-login-attempts"), `${kind}:${value}`);
}

export async function loginStaff(
  input: { email: string; password: string; client: string },
  now = new Date(),
): Promise<LoginResult> {
  const email = input.email.trim().toLowerCase().slice(0, 320);
  const emailHash = attemptKey("email", email);
  const clientHash = attemptKey("client", input.client);
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MINUTES * 60_000);
  const failures = await countRecentFailures(emailHash, clientHash, since);
  if (failures.email >= MAX_FAILURES_PER_EMAIL || failures.client >= MAX_FAILURES_PER_CLIENT) {
    await appendAuditEvent({
      actorType: "system",
      actorId: "staff-login",
      action: "staff.login_throttled",
      data: { emailHash },
      occurredAt: now,
    });
    return { ok: false, reason: "throttled" };
  }
  const staff = email ? await getStaffByEmail(email) : undefined;
  const valid = await verifyPassword(input.password, staff?.passwordHash ?? (await dummyHash()));
  const ok = Boolean(staff && valid && !staff.disabledAt);
  await recordLoginAttempt({ at: now, emailHash, clientHash, succeeded: ok });
  if (!ok || !staff) {
    await appendAuditEvent({
      actorType: "system",
      actorId: "staff-login",
      action: "staff.login_failed",
      data: { emailHash, staffId: staff?.id ?? null },
      occurredAt: now,
    });
    return { ok: false, reason: "invalid" };
  }
  const id = newToken();
  const expiresAt = new Date(now.getTime() + STAFF_ABSOLUTE_HOURS * 3_600_000);
  await insertStaffSession(
    { idHash: sha256(id), staffId: staff.id, createdAt: now, lastSeenAt: now, expiresAt },
    {
      actorType: "staff",
      actorId: staff.id,
      action: "staff.login",
      occurredAt: now,
      data: {},
    },
  );
  return {
    ok: true,
    cookie: {
      name: STAFF_COOKIE,
      value: id,
      httpOnly: true,
      secure: true,
      sameSite: "strict",
      path: "/",
      maxAge: STAFF_ABSOLUTE_HOURS * 3600,
    },
    staff: { id: staff.id, role: staff.role, displayName: staff.displayName },
  };
}

export type StaffPrincipal = Pick<StaffUser, "id" | "email" | "displayName" | "role">;

export async function resolveStaff(
  cookieValue: string | undefined,
  now = new Date(),
): Promise<StaffPrincipal | undefined> {
  if (!cookieValue || !TOKEN_PATTERN.test(cookieValue)) return undefined;
  const found = await getLiveStaffSession(sha256(cookieValue), now, STAFF_IDLE_MINUTES * 60_000);
  if (!found) return undefined;
  const { id, email, displayName, role } = found.staff;
  return { id, email, displayName, role };
}

export async function logoutStaff(cookieValue: string, staffId: string, now = new Date()) {
  if (!TOKEN_PATTERN.test(cookieValue)) return;
  await revokeStaffSession(sha256(cookieValue), now);
  await appendAuditEvent({
    actorType: "staff",
    actorId: staffId,
    action: "staff.logout",
    occurredAt: now,
  });
}

const RANK: Record<StaffRole, number> = { reviewer: 1, approver: 2, admin: 3 };
export function hasRole(staff: Pick<StaffUser, "role">, needed: StaffRole): boolean {
  return RANK[staff.role] >= RANK[needed];
}
