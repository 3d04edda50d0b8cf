/**
 * Staff login and console sessions, separate from traders' in every way: their own table, their
 * own cookie (`__Host-kyc_staff`, SameSite=Strict: the console is never framed), their own
 * lifetimes (30 minutes idle, 8 hours absolute).
 *
 * Login is two steps when the account has a second factor: the password opens a half-signed-in
 * session (`mfa`) that grants nothing but the code form; a valid TOTP or recovery code replaces
 * it with a full session under a new cookie value. An approver or admin (and a reviewer unless
 * STAFF_MFA_REVIEWERS=0) without a second factor gets an `enrol` session instead and must enrol
 * before the console opens. Half sessions live 10 minutes and end after 5 wrong codes; each code
 * takes its attempt before it is checked, so parallel codes on one cookie share those 5. An
 * account gets at most MAX_CODE_FAILURES_PER_ACCOUNT wrong codes per throttle window across all
 * its half sessions (the password would otherwise open 5 more guesses each time); the last one
 * ends the session, and the answer says how many minutes are left (`too_many_codes`).
 *
 * Password attempts are throttled by spacing: past a few free failures, one that comes too soon
 * after the previous is refused unchecked (./throttle.ts). Every login, failure,
 * code, enrolment and logout is audited.
 */
import "server-only";
import { appendAuditEvent, type AuditInput } from "@/lib/db/queries/audit";
import {
  acceptTotpStep,
  completeStaffLogin,
  countUnusedRecoveryCodes,
  getLiveStaffSession,
  getStaffByEmail,
  insertStaffSession,
  revokeStaffSession,
  spendRecoveryCode,
  takeCodeAttempt,
} from "@/lib/db/queries/staff";
import type { StaffRole, StaffSession, StaffUser } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { pickLocale, type Locale } from "@/lib/i18n/config";
import { newToken, sha256, TOKEN_PATTERN } from "@/lib/identity/secrets";
import {
  checkTotp,
  hashRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
  openSecret,
  sealSecret,
} from "./mfa";
import { dummyHash, verifyPassword } from "./passwords";
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

export const STAFF_COOKIE = "__Host-kyc_staff";
export const STAFF_IDLE_MINUTES = 30;
export const STAFF_ABSOLUTE_HOURS = 8;
export const PENDING_LOGIN_MINUTES = 10;
export const MAX_CODE_FAILURES = 5;

export type StaffCookie = {
  name: string;
  value: string;
  httpOnly: true;
  secure: true;
  sameSite: "strict";
  path: "/";
  maxAge: number;
};

export type LoginStage = "mfa" | "enrol" | "full";

export type LoginResult =
  | {
      ok: true;
      stage: LoginStage;
      cookie: StaffCookie;
      staff: Pick<StaffUser, "id" | "role" | "displayName">;
    }
  /** `throttled`: too soon after the previous attempt, refused unchecked (any email alike). */
  | { ok: false; reason: "invalid" | "throttled" };

export type ClientInfo = { client: string; userAgent?: string };

function cookieFor(value: string, seconds: number): StaffCookie {
  return {
    name: STAFF_COOKIE,
    value,
    httpOnly: true,
    secure: true,
    sameSite: "strict",
    path: "/",
    maxAge: seconds,
  };
}

/** Whether the role must sign in with a second factor. */
export function mfaRequired(role: StaffRole): boolean {
  return role !== "reviewer" || env().staff.mfaForReviewers;
}

async function openFullSession(
  staffId: string,
  info: ClientInfo,
  now: Date,
): Promise<{ id: string; values: Parameters<typeof insertStaffSession>[0] }> {
  const id = newToken();
  return {
    id,
    values: {
      idHash: sha256(id),
      staffId,
      stage: "full",
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + STAFF_ABSOLUTE_HOURS * 3_600_000),
      client: info.client.slice(0, 64),
      userAgent: info.userAgent?.slice(0, 200) ?? null,
    },
  };
}

/** The password step. The attempt is admitted and counted first, or refused as too soon. */
export async function loginStaff(
  input: { email: string; password: string } & ClientInfo,
  options: { now?: Date } = {},
): Promise<LoginResult> {
  const now = options.now ?? new Date();
  const email = input.email.trim().toLowerCase().slice(0, 320);
  const admission = await admitAttempt(email, input.client, now);
  if (!admission.admitted) {
    // Logged, not audited: a refusal costs next to nothing, and an audit row takes the chain's
    // lock, so a flood of them would queue every audited write. The attempts that were checked
    // are audited below.
    log.warn("staff.login_throttled", {
      emailHash: admission.emailKey,
      retryAfterMs: admission.retryAfterMs,
    });
    return { ok: false, reason: "throttled" };
  }
  const { attempt } = admission;
  const staff = email ? await getStaffByEmail(email) : undefined;
  const valid = await verifyPassword(input.password, staff?.passwordHash ?? (await dummyHash()));
  if (!staff || !valid || staff.disabledAt) {
    await appendAuditEvent({
      actorType: "system",
      actorId: "staff-login",
      action: "staff.login_failed",
      data: { emailHash: attempt.emailKey, staffId: staff?.id ?? null },
      occurredAt: now,
    });
    return { ok: false, reason: "invalid" };
  }
  await forgiveAttempt(attempt);
  const who = { id: staff.id, role: staff.role, displayName: staff.displayName };
  const stage: LoginStage = staff.mfaEnabledAt ? "mfa" : mfaRequired(staff.role) ? "enrol" : "full";
  // The session opens only if the password checked is still the account's (a reset or a
  // disable while it was being checked wins).
  const changedMeanwhile = async (): Promise<LoginResult> => {
    log.warn("staff.login_raced_change", { staffId: staff.id });
    await appendAuditEvent({
      actorType: "system",
      actorId: "staff-login",
      action: "staff.login_failed",
      data: { emailHash: attempt.emailKey, staffId: staff.id },
      occurredAt: now,
    });
    return { ok: false, reason: "invalid" };
  };
  if (stage === "full") {
    const session = await openFullSession(staff.id, input, now);
    const opened = await insertStaffSession(session.values, staff.passwordHash, {
      actorType: "staff",
      actorId: staff.id,
      action: "staff.login",
      occurredAt: now,
      data: { secondFactor: false },
    });
    if (!opened) return await changedMeanwhile();
    return {
      ok: true,
      stage,
      cookie: cookieFor(session.id, STAFF_ABSOLUTE_HOURS * 3600),
      staff: who,
    };
  }
  const id = newToken();
  const opened = await insertStaffSession(
    {
      idHash: sha256(id),
      staffId: staff.id,
      stage,
      enrolSecret: stage === "enrol" ? sealSecret(newTotpSecret(), staff.id) : null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + PENDING_LOGIN_MINUTES * 60_000),
      client: input.client.slice(0, 64),
      userAgent: input.userAgent?.slice(0, 200) ?? null,
    },
    staff.passwordHash,
  );
  if (!opened) return await changedMeanwhile();
  return { ok: true, stage, cookie: cookieFor(id, PENDING_LOGIN_MINUTES * 60), staff: who };
}

export type PendingLogin = {
  stage: "mfa" | "enrol";
  staff: Pick<StaffUser, "id" | "email" | "role">;
  /** The secret to enrol (stage `enrol` only), shown as text and as a QR code. */
  enrolSecret?: string;
};

async function liveSession(
  cookieValue: string | undefined,
  now: Date,
): Promise<{ session: StaffSession; staff: StaffUser } | undefined> {
  if (!cookieValue || !TOKEN_PATTERN.test(cookieValue)) return undefined;
  return getLiveStaffSession(sha256(cookieValue), now, STAFF_IDLE_MINUTES * 60_000);
}

/** The half-signed-in state behind the cookie, if that is what it is. */
export async function resolvePendingLogin(
  cookieValue: string | undefined,
  now = new Date(),
): Promise<PendingLogin | undefined> {
  const found = await liveSession(cookieValue, now);
  if (!found || found.session.stage === "full") return undefined;
  const { id, email, role } = found.staff;
  const enrolSecret =
    found.session.stage === "enrol" && found.session.enrolSecret
      ? openSecret(found.session.enrolSecret, id)
      : undefined;
  return { stage: found.session.stage, staff: { id, email, role }, enrolSecret };
}

export type SecondFactorResult =
  | { ok: true; cookie: StaffCookie; recoveryCodes?: string[] }
  | { ok: false; reason: "invalid" | "expired" }
  /**
   * The code was right, but a parallel submission of it (a double click, a second tab) used it
   * first and signed the officer in: that one's answer carries the new cookie.
   */
  | { ok: false; reason: "raced" }
  /** The account's wrong codes are spent for this window: no code is checked before it ends. */
  | { ok: false; reason: "too_many_codes"; retryAfterMinutes: number };

async function refuseCode(
  idHash: string,
  failures: number,
  perAccount: CountedCodeAttempt,
  staffId: string,
  email: string,
  info: ClientInfo,
  now: Date,
): Promise<SecondFactorResult> {
  // The attempt was counted before the check; the last one allowed (the session's, or the
  // account's for this window) ends the session.
  const spent = codesSpent(perAccount);
  if (failures >= MAX_CODE_FAILURES || spent) await revokeStaffSession(idHash, now);
  // A wrong code counts like a wrong password: the next password attempts wait longer.
  await countFailure(email, info.client, now);
  await appendAuditEvent({
    actorType: "staff",
    actorId: staffId,
    action: "staff.mfa_failed",
    occurredAt: now,
    data: { failures },
  });
  if (spent)
    return { ok: false, reason: "too_many_codes", retryAfterMinutes: perAccount.retryAfterMinutes };
  return { ok: false, reason: failures >= MAX_CODE_FAILURES ? "expired" : "invalid" };
}

/**
 * The second step: a TOTP code (or a recovery code) for an `mfa` session, or the first code
 * of the secret being enrolled for an `enrol` session. Success replaces the half session with
 * a full one; enrolment answers the recovery codes, to be shown once.
 */
export async function completeSecondFactor(
  cookieValue: string | undefined,
  code: string,
  info: ClientInfo,
  now = new Date(),
): Promise<SecondFactorResult> {
  const found = await liveSession(cookieValue, now);
  if (!found || found.session.stage === "full" || !cookieValue)
    return { ok: false, reason: "expired" };
  const { session, staff } = found;
  // The attempt is taken before the code is checked (see takeCodeAttempt): reading the
  // failure count and recording a failure afterwards would let parallel codes all pass the read.
  const attempt = await takeCodeAttempt(
    "login",
    session.idHash,
    now,
    STAFF_IDLE_MINUTES * 60_000,
    MAX_CODE_FAILURES,
  );
  if (attempt === undefined) return { ok: false, reason: "expired" };
  const perAccount = await countCodeAttempt(staff.id, now);
  if (perAccount.attempts > MAX_CODE_FAILURES_PER_ACCOUNT) {
    // Refused unchecked, and the half session ends: the account's guesses are spent for now.
    await revokeStaffSession(session.idHash, now);
    await appendAuditEvent({
      actorType: "staff",
      actorId: staff.id,
      action: "staff.mfa_throttled",
      occurredAt: now,
      data: { attempts: perAccount.attempts },
    });
    return { ok: false, reason: "too_many_codes", retryAfterMinutes: perAccount.retryAfterMinutes };
  }
  const refuse = () =>
    refuseCode(session.idHash, attempt, perAccount, staff.id, staff.email, info, now);
  // A right code that a parallel submission beat (to the half session, or to its time step) is
  // no guess: it gives the account's attempt back. The other submission signed the officer in.
  const raced = async (): Promise<SecondFactorResult> => {
    await forgiveCodeAttempt(perAccount);
    log.info("staff.mfa_code_raced", { staffId: staff.id });
    return { ok: false, reason: "raced" };
  };
  const typed = code.trim().slice(0, 40);
  const full = await openFullSession(staff.id, info, now);
  const done = async (recoveryCodes?: string[]): Promise<SecondFactorResult> => {
    await forgiveCodeAttempt(perAccount);
    return { ok: true, cookie: cookieFor(full.id, STAFF_ABSOLUTE_HOURS * 3600), recoveryCodes };
  };
  const loginAudit = (data: Record<string, unknown>) => ({
    actorType: "staff" as const,
    actorId: staff.id,
    action: "staff.login",
    occurredAt: now,
    data: { secondFactor: true, ...data },
  });

  if (session.stage === "enrol") {
    const secret = session.enrolSecret ? openSecret(session.enrolSecret, staff.id) : undefined;
    const step = secret ? await checkTotp(secret, typed.replace(/\s/g, ""), now) : undefined;
    if (!secret || step === undefined) return refuse();
    const codes = newRecoveryCodes();
    const completed = await completeStaffLogin({
      pendingHash: session.idHash,
      now,
      session: full.values,
      mfa: {
        secret: sealSecret(secret, staff.id),
        step,
        codeHashes: codes.map((c) => hashRecoveryCode(staff.id, c)),
      },
      audit: [
        {
          actorType: "staff",
          actorId: staff.id,
          action: "staff.mfa_enrolled",
          occurredAt: now,
          data: { recoveryCodes: codes.length },
        },
        loginAudit({ method: "enrolment" }),
      ],
    });
    return completed ? done(codes) : raced();
  }

  if (!staff.mfaSecret) return { ok: false, reason: "expired" };
  const secret = openSecret(staff.mfaSecret, staff.id);
  const digits = typed.replace(/\s/g, "");
  const step = await checkTotp(secret, digits, now, staff.mfaLastStep);
  let method: "totp" | "recovery_code" | undefined;
  if (step !== undefined) {
    // Valid for its step, but a parallel submission accepted that step (or a later one) first.
    if (!(await acceptTotpStep(staff.id, step))) return raced();
    method = "totp";
  }
  const recovery = method ? undefined : normaliseRecoveryCode(typed);
  if (recovery && (await spendRecoveryCode(staff.id, hashRecoveryCode(staff.id, recovery), now)))
    method = "recovery_code";
  if (!method) return refuse();
  const audit: AuditInput[] = [loginAudit({ method })];
  if (method === "recovery_code")
    audit.unshift({
      actorType: "staff",
      actorId: staff.id,
      action: "staff.mfa_recovery_used",
      occurredAt: now,
      data: { left: await countUnusedRecoveryCodes(staff.id) },
    });
  const completed = await completeStaffLogin({
    pendingHash: session.idHash,
    now,
    session: full.values,
    audit,
  });
  return completed ? done() : raced();
}

export type StaffPrincipal = Pick<StaffUser, "id" | "email" | "displayName" | "role"> & {
  mfa: boolean;
  /** The console language the officer chose; absent until they choose. */
  locale?: Locale;
};

/**
 * The signed-in staff member behind a full session. Fails closed: a half-signed-in session, a
 * disabled account, an account whose role now needs a second factor it does not have (a
 * promotion, or STAFF_MFA_REVIEWERS switched on), or one still on a password an admin set
 * (see `resolvePasswordChanger`) is nobody.
 */
export async function resolveStaff(
  cookieValue: string | undefined,
  now = new Date(),
): Promise<StaffPrincipal | undefined> {
  const found = await resolvePasswordChanger(cookieValue, now);
  return found && !found.forced ? found.staff : undefined;
}

/**
 * Who may change their own password in this session: any signed-in staff member, and the one
 * whose password an admin generated (`forced`), for whom that is the only thing the console does.
 */
export async function resolvePasswordChanger(
  cookieValue: string | undefined,
  now = new Date(),
): Promise<{ staff: StaffPrincipal; forced: boolean } | undefined> {
  const found = await liveSession(cookieValue, now);
  if (!found || found.session.stage !== "full") return undefined;
  const { id, email, displayName, role, mfaEnabledAt, passwordSetBy } = found.staff;
  if (!mfaEnabledAt && mfaRequired(role)) return undefined;
  const locale = pickLocale(found.staff.locale);
  return {
    staff: { id, email, displayName, role, mfa: Boolean(mfaEnabledAt), ...(locale && { locale }) },
    forced: passwordSetBy !== null,
  };
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
