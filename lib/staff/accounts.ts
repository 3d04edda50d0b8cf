/**
 * Console accounts as operators (`npm run staff:create`) and admins (the console's account page)
 * manage them, and what each person manages about themselves: their sessions and their second
 * factor. Every change is audited in the same transaction; disabling an account, a password
 * reset, a role change and a second-factor reset end all of that person's sessions.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { appendAuditEvent, type AuditInput } from "@/lib/db/queries/audit";
import {
  acceptTotpStep,
  changeStaffAccountByAdmin,
  countUnusedRecoveryCodes,
  getLiveStaffSession,
  getStaffByEmail,
  getStaffById,
  insertStaffUser,
  listLiveStaffSessions,
  listStaffAccounts,
  revokeOwnStaffSession,
  setSessionEnrolSecret,
  setStaffLocale,
  setStaffMfa,
  spendRecoveryCode,
  takeCodeAttempt,
  updateStaffAccount,
} from "@/lib/db/queries/staff";
import { staffRole, type StaffRole, type StaffUser } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import type { Locale } from "@/lib/i18n/config";
import { sha256, TOKEN_PATTERN } from "@/lib/identity/secrets";
import { log } from "@/lib/log";
import {
  hasRole,
  MAX_CODE_FAILURES,
  mfaRequired,
  STAFF_IDLE_MINUTES,
  type StaffPrincipal,
} from "./auth";
import {
  checkTotp,
  hashRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
  openSecret,
  sealSecret,
} from "./mfa";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords";
import {
  admitAttempt,
  codesSpent,
  countCodeAttempt,
  countFailure,
  forgiveAttempt,
  forgiveCodeAttempt,
  MAX_CODE_FAILURES_PER_ACCOUNT,
  type CountedCodeAttempt,
} from "./throttle";

type Actor = Pick<AuditInput, "actorType" | "actorId">;
const CLI: Actor = {
  actorType: "system",
  actorId: "staff:create",
};

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
    ...CLI,
    action: "staff.created",
    data: { staffId: staff.id, role: staff.role },
  });
  return { id: staff.id };
}

async function byEmail(email: string): Promise<StaffUser> {
  const staff = await getStaffByEmail(email);
  if (!staff) throw new AppError("NOT_FOUND", "no such account");
  return staff;
}

/**
 * `staff:create --reset`: a new password; every session of the person ends. The operator at the
 * server may be the person themselves, so this one is not a password to change at sign-in.
 */
export async function resetStaffPassword(email: string, password: string): Promise<void> {
  const staff = await byEmail(email);
  await setPassword(staff.id, await hashPassword(password), CLI, new Date(), null);
}

/** `staff:create --reset-mfa`: the second factor removed (lost device); enrolment at next sign-in. */
export async function resetStaffMfaByEmail(email: string): Promise<void> {
  const staff = await byEmail(email);
  await clearMfa(staff.id, CLI, new Date());
}

async function setPassword(
  staffId: string,
  passwordHash: string,
  actor: Actor,
  now: Date,
  setBy: string | null,
): Promise<StaffUser | undefined> {
  return updateStaffAccount(
    staffId,
    { passwordHash, passwordSetBy: setBy },
    {
      revokeSessions: true,
      now,
      audit: { ...actor, action: "staff.password_reset", occurredAt: now, data: { staffId } },
    },
  );
}

async function clearMfa(staffId: string, actor: Actor, now: Date) {
  return updateStaffAccount(
    staffId,
    { mfaSecret: null, mfaEnabledAt: null, mfaLastStep: null },
    {
      revokeSessions: true,
      clearRecoveryCodes: true,
      now,
      audit: { ...actor, action: "staff.mfa_reset", occurredAt: now, data: { staffId } },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The admin's account page.

/** What an admin's change did; the page says it in the officer's language (`ConsoleAdmin`). */
export const STAFF_ADMIN_OUTCOMES = [
  "role_changed",
  "disabled",
  "enabled",
  "mfa_reset",
  "password_reset",
] as const;
export type StaffAdminOutcome = (typeof STAFF_ADMIN_OUTCOMES)[number];

/** Why an admin's change was refused: closed codes, never sentences (the page words them). */
export const STAFF_ADMIN_REFUSALS = ["forbidden", "not_found", "self", "bad_role"] as const;
export type StaffAdminRefusal = (typeof STAFF_ADMIN_REFUSALS)[number];

export const isStaffAdminOutcome = (value: unknown): value is StaffAdminOutcome =>
  (STAFF_ADMIN_OUTCOMES as readonly unknown[]).includes(value);
export const isStaffAdminRefusal = (value: unknown): value is StaffAdminRefusal =>
  (STAFF_ADMIN_REFUSALS as readonly unknown[]).includes(value);

export class StaffAdminError extends AppError {
  constructor(readonly refusal: StaffAdminRefusal) {
    super(refusal === "not_found" ? "NOT_FOUND" : "FORBIDDEN", `staff_admin.${refusal}`);
  }
}

function adminAudit(admin: StaffPrincipal): Actor {
  return { actorType: "staff", actorId: admin.id };
}

/** Admins act on other people's accounts only: nobody locks themselves out of the last admin. */
async function targetOf(admin: StaffPrincipal, staffId: string): Promise<StaffUser> {
  if (!hasRole(admin, "admin")) throw new StaffAdminError("forbidden");
  if (staffId === admin.id) throw new StaffAdminError("self");
  const target = await getStaffById(staffId);
  if (!target) throw new StaffAdminError("not_found");
  return target;
}

export async function listAccounts(admin: StaffPrincipal) {
  if (!hasRole(admin, "admin")) throw new StaffAdminError("forbidden");
  const rows = await listStaffAccounts();
  return rows.map((row) => ({ ...row, mfaRequired: mfaRequired(row.role) }));
}

/**
 * What an admin's change answered, as the page's outcome: refused when the admin is no longer an
 * active admin (demoted or disabled meanwhile) or when it would leave no active admin.
 */
function changed(
  result: Awaited<ReturnType<typeof changeStaffAccountByAdmin>>,
  outcome: StaffAdminOutcome,
): StaffAdminOutcome {
  if (result === "not_found") throw new StaffAdminError("not_found");
  if (result === "not_admin" || result === "last_admin") throw new StaffAdminError("forbidden");
  return outcome;
}

export async function changeStaffRole(
  admin: StaffPrincipal,
  staffId: string,
  role: unknown,
  now = new Date(),
): Promise<StaffAdminOutcome> {
  const target = await targetOf(admin, staffId);
  const parsed = staffRole.enumValues.find((r) => r === role);
  if (!parsed) throw new StaffAdminError("bad_role");
  const result = await changeStaffAccountByAdmin({
    adminId: admin.id,
    staffId: target.id,
    patch: { role: parsed },
    // New rights (and perhaps a second factor to enrol) start with a fresh sign-in.
    revokeSessions: true,
    now,
    audit: (before) => ({
      ...adminAudit(admin),
      action: "staff.role_changed",
      occurredAt: now,
      data: { staffId: before.id, from: before.role, to: parsed },
    }),
  });
  return changed(result, "role_changed");
}

export async function setStaffDisabled(
  admin: StaffPrincipal,
  staffId: string,
  disabled: boolean,
  now = new Date(),
): Promise<StaffAdminOutcome> {
  const target = await targetOf(admin, staffId);
  const result = await changeStaffAccountByAdmin({
    adminId: admin.id,
    staffId: target.id,
    patch: { disabledAt: disabled ? now : null },
    revokeSessions: disabled,
    now,
    audit: (before) => ({
      ...adminAudit(admin),
      action: disabled ? "staff.disabled" : "staff.enabled",
      occurredAt: now,
      data: { staffId: before.id },
    }),
  });
  return changed(result, disabled ? "disabled" : "enabled");
}

/**
 * A generated password, answered once for the admin to hand over. The admin knows it, so it
 * opens only the password change: the holder's first sign-in sets their own
 * (`changeOwnPassword`), and until then the account cannot review, decide or co-sign anything.
 */
export async function resetPasswordByAdmin(
  admin: StaffPrincipal,
  staffId: string,
  now = new Date(),
): Promise<{ password: string }> {
  const target = await targetOf(admin, staffId);
  const password = randomBytes(18).toString("base64url");
  await setPassword(target.id, await hashPassword(password), adminAudit(admin), now, admin.id);
  return { password };
}

export async function resetMfaByAdmin(
  admin: StaffPrincipal,
  staffId: string,
  now = new Date(),
): Promise<StaffAdminOutcome> {
  const target = await targetOf(admin, staffId);
  await clearMfa(target.id, adminAudit(admin), now);
  return "mfa_reset";
}

// ---------------------------------------------------------------------------------------------
// One's own account: password, sessions and second factor.

/** Why a password change was refused: closed codes, worded by the password page. */
export const PASSWORD_CHANGE_REFUSALS = [
  "wrong_current",
  "too_short",
  "too_long",
  "mismatch",
  "unchanged",
  "changed",
  "too_soon",
] as const;
export type PasswordChangeRefusal = (typeof PASSWORD_CHANGE_REFUSALS)[number];
export const isPasswordChangeRefusal = (value: unknown): value is PasswordChangeRefusal =>
  (PASSWORD_CHANGE_REFUSALS as readonly unknown[]).includes(value);

/** Longer is no password anyone types; scrypt need not hash megabytes. */
export const MAX_PASSWORD_LENGTH = 1024;

/** The password form's fields, named once for the page and the action. */
export const PASSWORD_CHANGE_FIELDS = ["current", "next", "repeat"] as const;
export type PasswordChangeField = (typeof PASSWORD_CHANGE_FIELDS)[number];

/**
 * One's own new password, proven by the current one (a session left open is not enough to take
 * the account). The attempt is admitted (or refused as too soon) and counted like a sign-in. The update is
 * conditional on the password it checked, so an admin's reset in between wins. Every session of
 * the person ends, this one included: they sign in again with the new password.
 */
export async function changeOwnPassword(
  staff: StaffPrincipal,
  input: Record<PasswordChangeField, string> & { client: string },
  options: { now?: Date } = {},
): Promise<{ ok: true } | { ok: false; reason: PasswordChangeRefusal }> {
  const now = options.now ?? new Date();
  const account = await getStaffById(staff.id);
  if (!account || account.disabledAt) return { ok: false, reason: "changed" };
  const admission = await admitAttempt(account.email, input.client, now);
  if (!admission.admitted) return { ok: false, reason: "too_soon" };
  if (!(await verifyPassword(input.current, account.passwordHash))) {
    await appendAuditEvent({
      actorType: "staff",
      actorId: staff.id,
      action: "staff.password_change_failed",
      occurredAt: now,
      data: {},
    });
    return { ok: false, reason: "wrong_current" };
  }
  await forgiveAttempt(admission.attempt);
  if (input.next.length < MIN_PASSWORD_LENGTH) return { ok: false, reason: "too_short" };
  if (input.next.length > MAX_PASSWORD_LENGTH) return { ok: false, reason: "too_long" };
  if (input.next !== input.repeat) return { ok: false, reason: "mismatch" };
  if (input.next === input.current) return { ok: false, reason: "unchanged" };
  const changed = await updateStaffAccount(
    staff.id,
    { passwordHash: await hashPassword(input.next), passwordSetBy: null },
    {
      revokeSessions: true,
      now,
      ifPasswordHash: account.passwordHash,
      audit: {
        actorType: "staff",
        actorId: staff.id,
        action: "staff.password_changed",
        occurredAt: now,
        data: { staffId: staff.id, wasSetBy: account.passwordSetBy },
      },
    },
  );
  return changed ? { ok: true } : { ok: false, reason: "changed" };
}

export async function listOwnSessions(staff: StaffPrincipal, cookieValue: string | undefined) {
  const now = new Date();
  const current = cookieValue && TOKEN_PATTERN.test(cookieValue) ? sha256(cookieValue) : "";
  const rows = await listLiveStaffSessions(staff.id, now, STAFF_IDLE_MINUTES * 60_000);
  return rows.map((s) => ({
    ref: s.ref,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    client: s.client,
    userAgent: s.userAgent,
    current: s.idHash === current,
  }));
}

export async function endOwnSession(
  staff: StaffPrincipal,
  ref: string,
  now = new Date(),
): Promise<boolean> {
  return revokeOwnStaffSession(staff.id, ref, now, {
    actorType: "staff",
    actorId: staff.id,
    action: "staff.session_ended",
    occurredAt: now,
    data: { ref },
  });
}

export async function ownMfaStatus(staff: StaffPrincipal) {
  return {
    enabled: staff.mfa,
    required: mfaRequired(staff.role),
    recoveryCodesLeft: staff.mfa ? await countUnusedRecoveryCodes(staff.id) : 0,
  };
}

async function ownSession(staff: StaffPrincipal, cookieValue: string | undefined) {
  if (!cookieValue || !TOKEN_PATTERN.test(cookieValue)) return undefined;
  const found = await getLiveStaffSession(
    sha256(cookieValue),
    new Date(),
    STAFF_IDLE_MINUTES * 60_000,
  );
  return found?.staff.id === staff.id && found.session.stage === "full" ? found : undefined;
}

/** Starts (or restarts) enrolling a new device from a signed-in session. */
export async function startOwnEnrolment(staff: StaffPrincipal, cookieValue: string | undefined) {
  const found = await ownSession(staff, cookieValue);
  if (!found) throw new AppError("UNAUTHENTICATED", "sign in again");
  await setSessionEnrolSecret(found.session.idHash, sealSecret(newTotpSecret(), staff.id));
}

/** The secret being enrolled from this session, if an enrolment was started. */
export async function ownEnrolmentSecret(
  staff: StaffPrincipal,
  cookieValue: string | undefined,
): Promise<string | undefined> {
  const found = await ownSession(staff, cookieValue);
  return found?.session.enrolSecret ? openSecret(found.session.enrolSecret, staff.id) : undefined;
}

/**
 * Why an enrolment from the account page was refused: closed codes the action words. `restart`:
 * no enrolment in progress on this session, or its code attempts are spent; `too_many_codes`: the
 * account's wrong codes are spent for the window (sign-in's cap), with the minutes left.
 */
export const ENROLMENT_REFUSALS = [
  "invalid",
  "password",
  "proof",
  "expired",
  "too_soon",
  "restart",
  "too_many_codes",
] as const;
export type EnrolmentRefusal = (typeof ENROLMENT_REFUSALS)[number];
export type EnrolmentResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; reason: Exclude<EnrolmentRefusal, "too_many_codes"> }
  | { ok: false; reason: "too_many_codes"; retryAfterMinutes: number };

/** The account page's enrolment fields: the new device's code, and the proof that it is you. */
export type EnrolmentInput = {
  /** The first code of the device being enrolled. */
  code: string;
  /** The account's password, always… */
  password: string;
  /** …and, moving an existing second factor, a code from the current device or a recovery code. */
  currentCode: string;
  client: string;
};

/**
 * The current second factor proven (a TOTP code after the last accepted step, or an unused
 * recovery code, either spent here), under the per-account code cap the sign-in uses. Answers
 * the count when the cap refused the code (or this wrong one was the last it allowed).
 */
async function currentFactorProven(
  account: StaffUser,
  typed: string,
  now: Date,
): Promise<boolean | CountedCodeAttempt> {
  if (!account.mfaSecret) return false;
  const counted = await countCodeAttempt(account.id, now);
  if (counted.attempts > MAX_CODE_FAILURES_PER_ACCOUNT) return counted;
  const secret = openSecret(account.mfaSecret, account.id);
  const step = await checkTotp(secret, typed.replace(/\s/g, ""), now, account.mfaLastStep);
  const recovery = normaliseRecoveryCode(typed);
  const proven =
    (step !== undefined && (await acceptTotpStep(account.id, step))) ||
    (recovery !== undefined &&
      (await spendRecoveryCode(account.id, hashRecoveryCode(account.id, recovery), now)));
  if (proven) await forgiveCodeAttempt(counted);
  return proven || (codesSpent(counted) ? counted : false);
}

/**
 * Confirms the new device with its first code; answers the new recovery codes (shown once).
 *
 * A session left open is not enough: the password is asked for too, and moving an existing
 * second factor also takes a current code (or a recovery code), so one who has only the password
 * cannot swap the factor for their own device either. A first enrolment (an account with none,
 * allowed to sign in without) takes the password as well: the new factor ends every other
 * session and guards every later sign-in, so whoever found a reviewer's session open could
 * otherwise sign the officer out and keep them out with a device only they hold. (The enrolment
 * at sign-in comes right after the password and needs only the new code.) Either way the factor
 * is installed only if the account and this session are still what was checked, and every other
 * session of the person ends. Every refusal is audited, except a new code refused unchecked: each
 * setup checks at most MAX_CODE_FAILURES new codes, within the account's code cap.
 */
export async function finishOwnEnrolment(
  staff: StaffPrincipal,
  cookieValue: string | undefined,
  input: EnrolmentInput,
  options: { now?: Date } = {},
): Promise<EnrolmentResult> {
  const now = options.now ?? new Date();
  const found = await ownSession(staff, cookieValue);
  if (!found) return { ok: false, reason: "expired" };
  const account = found.staff;
  const replacing = account.mfaSecret !== null;
  const audit = (failed: string) =>
    appendAuditEvent({
      actorType: "staff",
      actorId: staff.id,
      action: "staff.mfa_enrol_failed",
      occurredAt: now,
      data: { failed, replacing },
    });
  const refuse = async (reason: Exclude<EnrolmentRefusal, "too_many_codes">, failed: string) => {
    await audit(failed);
    return { ok: false as const, reason };
  };
  const tooMany = (counted: CountedCodeAttempt) => ({
    ok: false as const,
    reason: "too_many_codes" as const,
    retryAfterMinutes: counted.retryAfterMinutes,
  });
  // The new device's code takes one of this enrolment's attempts before it is checked, as a
  // code at sign-in does: a flood of codes from an open session is refused unchecked (logged, not
  // audited: each audit row takes the chain's lock). It is not charged to the account's code
  // cap: the new key is shown to this session, so there is nothing to guess, and a stolen
  // session's wrong codes would otherwise keep the officer's own sign-in codes refused.
  const idleMs = STAFF_IDLE_MINUTES * 60_000;
  const attempt = await takeCodeAttempt(
    "enrolment",
    found.session.idHash,
    now,
    idleMs,
    MAX_CODE_FAILURES,
  );
  if (attempt === undefined) {
    log.warn("staff.mfa_enrol_throttled", { staffId: staff.id });
    return { ok: false, reason: "restart" };
  }
  const secret = found.session.enrolSecret
    ? openSecret(found.session.enrolSecret, staff.id)
    : undefined;
  const step = secret ? await checkTotp(secret, input.code.replace(/\s/g, ""), now) : undefined;
  if (!secret || step === undefined) {
    // The enrolment's last attempt ends it: a new one starts with a new key.
    if (attempt >= MAX_CODE_FAILURES) await setSessionEnrolSecret(found.session.idHash, null);
    return refuse("invalid", "new_code");
  }
  // The password as changeOwnPassword takes it: admitted and counted like a sign-in.
  const admission = await admitAttempt(account.email, input.client, now);
  if (!admission.admitted) return refuse("too_soon", "throttled");
  if (!(await verifyPassword(input.password, account.passwordHash)))
    return refuse(replacing ? "proof" : "password", "password");
  await forgiveAttempt(admission.attempt);
  if (replacing) {
    const proven = await currentFactorProven(account, input.currentCode.trim().slice(0, 40), now);
    if (proven !== true) {
      // A wrong current code slows the password down like a wrong code at sign-in.
      await countFailure(account.email, input.client, now);
      if (proven === false) return refuse("proof", "current_code");
      await audit("current_code");
      return tooMany(proven);
    }
  }
  const codes = newRecoveryCodes();
  const installed = await setStaffMfa({
    staffId: staff.id,
    sessionHash: found.session.idHash,
    now,
    idleMs: STAFF_IDLE_MINUTES * 60_000,
    checked: { passwordHash: account.passwordHash, mfaSecret: account.mfaSecret },
    mfa: {
      secret: sealSecret(secret, staff.id),
      step,
      codeHashes: codes.map((c) => hashRecoveryCode(staff.id, c)),
    },
    audit: {
      actorType: "staff",
      actorId: staff.id,
      action: "staff.mfa_enrolled",
      occurredAt: now,
      data: { recoveryCodes: codes.length, replaced: replacing },
    },
  });
  if (!installed) return refuse("expired", "changed");
  return { ok: true, recoveryCodes: codes };
}

/** Saves the console language the officer chose on their own account. */
export async function setOwnLocale(staff: StaffPrincipal, locale: Locale): Promise<void> {
  if (!(await setStaffLocale(staff.id, locale)))
    throw new AppError("UNAUTHENTICATED", "sign in again");
}
