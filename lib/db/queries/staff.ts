import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import { getDb } from "../client";
import {
  auditEvents,
  staffLoginThrottle,
  staffRecoveryCodes,
  staffSessions,
  staffUsers,
  type StaffRole,
  type StaffSession,
  type StaffUser,
} from "../schema";
import type { AuditInput } from "./audit";

export async function insertStaffUser(values: {
  email: string;
  displayName: string;
  role: StaffRole;
  passwordHash: string;
}): Promise<StaffUser> {
  const db = await getDb();
  const [row] = await db.insert(staffUsers).values(values).returning();
  if (!row) throw new Error("staff user not inserted");
  return row;
}

export async function getStaffByEmail(email: string): Promise<StaffUser | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(staffUsers)
    .where(eq(sql`lower(${staffUsers.email})`, email.toLowerCase()));
  return row;
}

/**
 * Counts one failure against each key (an email's, a client's or an account's keyed hash), in
 * one statement: the upsert locks each key's row, so parallel failures each get their own count.
 * A window older than `windowStart` starts again at 1. Returns the failures per key, this one
 * included, and when the key's window started. (Keys in one order, as admitLoginAttempt takes
 * them, so the two never deadlock.)
 */
export async function countLoginAttempt(
  keys: readonly string[],
  now: Date,
  windowStart: Date,
): Promise<Map<string, { failures: number; windowStartedAt: Date }>> {
  const db = await getDb();
  const since = sql`${windowStart.toISOString()}::timestamptz`;
  const at = sql`${now.toISOString()}::timestamptz`;
  const rows = await db
    .insert(staffLoginThrottle)
    .values(
      [...keys]
        .sort()
        .map((keyHash) => ({ keyHash, failures: 1, windowStartedAt: now, lastAttemptAt: now })),
    )
    .onConflictDoUpdate({
      target: staffLoginThrottle.keyHash,
      set: {
        failures: sql`case when ${staffLoginThrottle.windowStartedAt} <= ${since} then 1 else ${staffLoginThrottle.failures} + 1 end`,
        windowStartedAt: sql`case when ${staffLoginThrottle.windowStartedAt} <= ${since} then ${at} else ${staffLoginThrottle.windowStartedAt} end`,
        lastAttemptAt: now,
      },
    })
    .returning({
      keyHash: staffLoginThrottle.keyHash,
      failures: staffLoginThrottle.failures,
      windowStartedAt: staffLoginThrottle.windowStartedAt,
    });
  return new Map(rows.map(({ keyHash, ...count }) => [keyHash, count]));
}

/**
 * Admits a password attempt only if, for every key, it comes at least `spacingMs(key, n)` after
 * the key's previous attempt (n: this attempt's number in the window); then counts it, as a
 * failure until `forgiveLoginAttempt`. In one transaction with the keys' rows locked, so parallel
 * attempts are decided one after the other: of many sent at once, the free ones are admitted and
 * the rest refused, instead of all waiting and then all being checked. A refused attempt writes
 * nothing (it neither counts nor pushes the next admission further away). Answers the failures
 * per key, or how long until an attempt would be admitted.
 */
export async function admitLoginAttempt(
  keys: readonly string[],
  now: Date,
  windowStart: Date,
  spacingMs: (keyHash: string, attempt: number) => number,
): Promise<
  { admitted: true; failures: Map<string, number> } | { admitted: false; retryAfterMs: number }
> {
  const db = await getDb();
  const sorted = [...new Set(keys)].sort();
  return db.transaction(async (tx) => {
    await tx
      .insert(staffLoginThrottle)
      .values(
        sorted.map((keyHash) => ({
          keyHash,
          failures: 0,
          windowStartedAt: now,
          lastAttemptAt: now,
        })),
      )
      .onConflictDoNothing();
    const rows = await tx
      .select()
      .from(staffLoginThrottle)
      .where(inArray(staffLoginThrottle.keyHash, sorted))
      .orderBy(staffLoginThrottle.keyHash)
      .for("update");
    const fresh = (row: (typeof rows)[number]) => row.windowStartedAt <= windowStart;
    let retryAfterMs = 0;
    for (const row of rows) {
      const attempt = (fresh(row) ? 0 : row.failures) + 1;
      const spacing = spacingMs(row.keyHash, attempt);
      // A free attempt is never refused: the previous one's time may be a little ahead of this
      // one's (another replica's clock), which is no reason to wait.
      if (spacing === 0) continue;
      retryAfterMs = Math.max(retryAfterMs, row.lastAttemptAt.getTime() + spacing - now.getTime());
    }
    if (retryAfterMs > 0) return { admitted: false as const, retryAfterMs };
    const failures = new Map<string, number>();
    for (const row of rows) {
      const restart = fresh(row);
      const count = (restart ? 0 : row.failures) + 1;
      await tx
        .update(staffLoginThrottle)
        .set({
          failures: count,
          windowStartedAt: restart ? now : row.windowStartedAt,
          lastAttemptAt: now,
        })
        .where(eq(staffLoginThrottle.keyHash, row.keyHash));
      failures.set(row.keyHash, count);
    }
    return { admitted: true as const, failures };
  });
}

/**
 * A successful login (or a right code) was counted as a failure in advance: take that one back.
 * A window left with no failure ends with it (its start moves to the epoch, so the next failure
 * opens a new one): a window is the 15 minutes after its first failure, and one opened by the
 * success would otherwise close early on failures that came just after it, and hand out its free
 * attempts (or a fresh code cap) again minutes later. The spacing's last attempt stays.
 */
export async function forgiveLoginAttempt(keys: readonly string[]): Promise<void> {
  const db = await getDb();
  await db
    .update(staffLoginThrottle)
    .set({
      failures: sql`greatest(${staffLoginThrottle.failures} - 1, 0)`,
      windowStartedAt: sql`case when ${staffLoginThrottle.failures} <= 1
        then 'epoch'::timestamptz else ${staffLoginThrottle.windowStartedAt} end`,
    })
    .where(inArray(staffLoginThrottle.keyHash, [...keys]));
}

type Tx = Parameters<Parameters<Awaited<ReturnType<typeof getDb>>["transaction"]>[0]>[0];

async function openSessionIn(
  tx: Tx,
  values: typeof staffSessions.$inferInsert,
  audit: AuditInput | undefined,
): Promise<void> {
  await tx.insert(staffSessions).values(values);
  if (values.stage === "full" || values.stage === undefined)
    await tx
      .update(staffUsers)
      .set({ lastLoginAt: values.createdAt })
      .where(eq(staffUsers.id, values.staffId));
  if (audit) await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
}

/**
 * Locks the account for this transaction if it is enabled (and, given one, still has this
 * password hash). A reset, a disable or a role change updates the account row and then ends its
 * sessions in one transaction: a session opened under this lock either sees a reset or disable
 * (and is not opened) or is ended by the change, never slips in between. (A role change keeps
 * the hash: the session opens, and resolveStaff reads the new role.)
 */
async function lockAccountIn(tx: Tx, staffId: string, passwordHash?: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(
      and(
        eq(staffUsers.id, staffId),
        isNull(staffUsers.disabledAt),
        passwordHash === undefined ? undefined : eq(staffUsers.passwordHash, passwordHash),
      ),
    )
    // What the account's changes take (an UPDATE of non-key columns); a decision or an
    // assignment naming the account (a foreign-key share lock) does not wait for it.
    .for("no key update");
  return row !== undefined;
}

/**
 * The session and its audit event in one transaction; the login time on the account. False,
 * and nothing written, when the account changed since its password was checked against
 * `passwordHash` (reset, disabled).
 */
export async function insertStaffSession(
  values: typeof staffSessions.$inferInsert,
  passwordHash: string,
  audit?: AuditInput,
): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    if (!(await lockAccountIn(tx, values.staffId, passwordHash))) return false;
    await openSessionIn(tx, values, audit);
    return true;
  });
}

/**
 * Ends a half-signed-in session and opens the full one in its place (a new cookie value), with
 * its audit row; false when the half session was already used or revoked (a parallel attempt).
 * With `mfa`, the account's second factor is set (enrolment) and its recovery codes replaced.
 */
export async function completeStaffLogin(input: {
  pendingHash: string;
  now: Date;
  session: typeof staffSessions.$inferInsert;
  audit: AuditInput[];
  mfa?: { secret: string; step: number; codeHashes: string[] };
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // The account first, as its changes do (lockAccountIn): a reset in between ends this too.
    if (!(await lockAccountIn(tx, input.session.staffId))) return false;
    const ended = await tx
      .update(staffSessions)
      .set({ revokedAt: input.now, enrolSecret: null })
      .where(
        and(
          eq(staffSessions.idHash, input.pendingHash),
          isNull(staffSessions.revokedAt),
          ne(staffSessions.stage, "full"),
        ),
      )
      .returning({ staffId: staffSessions.staffId });
    // Nothing changed yet when the half session is gone: there is nothing to undo.
    if (ended[0]?.staffId !== input.session.staffId) return false;
    if (input.mfa) await setMfaIn(tx, input.session.staffId, input.mfa, input.now);
    await openSessionIn(tx, input.session, undefined);
    for (const a of input.audit) await tx.insert(auditEvents).values({ ...a, data: a.data ?? {} });
    return true;
  });
}

async function setMfaIn(
  tx: Tx,
  staffId: string,
  mfa: { secret: string; step: number; codeHashes: string[] },
  now: Date,
): Promise<void> {
  await tx
    .update(staffUsers)
    .set({ mfaSecret: mfa.secret, mfaEnabledAt: now, mfaLastStep: mfa.step })
    .where(eq(staffUsers.id, staffId));
  await tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, staffId));
  await tx
    .insert(staffRecoveryCodes)
    .values(mfa.codeHashes.map((codeHash) => ({ codeHash, staffId, createdAt: now })));
}

/**
 * Enrolment from a signed-in session, in one transaction: the account locked (still enabled, on
 * the password and the second factor the caller checked, `mfaSecret` null for a first
 * enrolment), the enrolling session still live with its pending secret cleared, the second
 * factor set, every other session of the person ended, the audit row. False, and nothing
 * written, when any of that changed meanwhile (a reset, a disable, another enrolment, the
 * session ended).
 */
export async function setStaffMfa(input: {
  staffId: string;
  sessionHash: string;
  now: Date;
  idleMs: number;
  checked: { passwordHash: string; mfaSecret: string | null };
  mfa: { secret: string; step: number; codeHashes: string[] };
  audit: AuditInput;
}): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    if (!(await lockAccountIn(tx, input.staffId, input.checked.passwordHash))) return false;
    const [account] = await tx
      .select({ mfaSecret: staffUsers.mfaSecret })
      .from(staffUsers)
      .where(eq(staffUsers.id, input.staffId));
    if (!account || account.mfaSecret !== input.checked.mfaSecret) return false;
    const live = await tx
      .update(staffSessions)
      .set({ enrolSecret: null })
      .where(
        and(
          eq(staffSessions.idHash, input.sessionHash),
          eq(staffSessions.staffId, input.staffId),
          eq(staffSessions.stage, "full"),
          isNull(staffSessions.revokedAt),
          gt(staffSessions.expiresAt, input.now),
          gt(staffSessions.lastSeenAt, new Date(input.now.getTime() - input.idleMs)),
        ),
      )
      .returning({ idHash: staffSessions.idHash });
    if (live.length === 0) return false;
    await setMfaIn(tx, input.staffId, input.mfa, input.now);
    // Sessions opened before the new factor (perhaps by whoever had the old one) end with it.
    await tx
      .update(staffSessions)
      .set({ revokedAt: input.now })
      .where(
        and(
          eq(staffSessions.staffId, input.staffId),
          ne(staffSessions.idHash, input.sessionHash),
          isNull(staffSessions.revokedAt),
        ),
      );
    await tx.insert(auditEvents).values({ ...input.audit, data: input.audit.data ?? {} });
    return true;
  });
}

/**
 * The secret being enrolled, kept on the session that enrols it (encrypted by the caller), with
 * the enrolment's code attempts counted from 0; null ends the enrolment.
 */
export async function setSessionEnrolSecret(idHash: string, secret: string | null): Promise<void> {
  const db = await getDb();
  await db
    .update(staffSessions)
    .set({ enrolSecret: secret, mfaFailures: 0 })
    .where(eq(staffSessions.idHash, idHash));
}

/**
 * Accepts a TOTP time step once: only a step later than the last accepted one passes, in one
 * conditional update, so a code cannot be used twice (not even by two parallel requests).
 */
export async function acceptTotpStep(staffId: string, step: number): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(staffUsers)
    .set({ mfaLastStep: step })
    .where(
      and(
        eq(staffUsers.id, staffId),
        or(isNull(staffUsers.mfaLastStep), lt(staffUsers.mfaLastStep, step)),
      ),
    )
    .returning({ id: staffUsers.id });
  return rows.length > 0;
}

/** Spends a recovery code: one conditional update; false if unknown or already used. */
export async function spendRecoveryCode(
  staffId: string,
  codeHash: string,
  now: Date,
): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(staffRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(staffRecoveryCodes.codeHash, codeHash),
        eq(staffRecoveryCodes.staffId, staffId),
        isNull(staffRecoveryCodes.usedAt),
      ),
    )
    .returning({ codeHash: staffRecoveryCodes.codeHash });
  return rows.length > 0;
}

export async function countUnusedRecoveryCodes(staffId: string): Promise<number> {
  const db = await getDb();
  const rows = await db
    .select({ codeHash: staffRecoveryCodes.codeHash })
    .from(staffRecoveryCodes)
    .where(and(eq(staffRecoveryCodes.staffId, staffId), isNull(staffRecoveryCodes.usedAt)));
  return rows.length;
}

/**
 * Takes one of `max` code attempts before the code is checked: one conditional update, so the
 * row lock decides and twenty parallel codes on one cookie get at most `max` attempts between
 * them (the others find the count spent and are refused unchecked). Undefined when the session
 * is not live in that stage or its attempts are spent; else this attempt's number.
 * - `login`: a half-signed-in session's code (the second step of a sign-in). A code that passes
 *   replaces the session, so its attempt is never given back.
 * - `enrolment`: the new device's code on a full session enrolling it from the account page,
 *   while its pending secret is set (setSessionEnrolSecret starts the count at 0).
 */
export async function takeCodeAttempt(
  stage: "login" | "enrolment",
  idHash: string,
  now: Date,
  idleMs: number,
  max: number,
): Promise<number | undefined> {
  const db = await getDb();
  const [row] = await db
    .update(staffSessions)
    .set({ mfaFailures: sql`${staffSessions.mfaFailures} + 1` })
    .where(
      and(
        eq(staffSessions.idHash, idHash),
        stage === "login"
          ? ne(staffSessions.stage, "full")
          : and(eq(staffSessions.stage, "full"), isNotNull(staffSessions.enrolSecret)),
        isNull(staffSessions.revokedAt),
        gt(staffSessions.expiresAt, now),
        gt(staffSessions.lastSeenAt, new Date(now.getTime() - idleMs)),
        lt(staffSessions.mfaFailures, max),
      ),
    )
    .returning({ attempts: staffSessions.mfaFailures });
  return row?.attempts;
}

/** A live staff session with its (enabled) account; touches last_seen at most once a minute. */
export async function getLiveStaffSession(
  idHash: string,
  now: Date,
  idleMs: number,
): Promise<{ session: StaffSession; staff: StaffUser } | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ session: staffSessions, staff: staffUsers })
    .from(staffSessions)
    .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.staffId))
    .where(
      and(
        eq(staffSessions.idHash, idHash),
        isNull(staffSessions.revokedAt),
        isNull(staffUsers.disabledAt),
        gt(staffSessions.expiresAt, now),
        gt(staffSessions.lastSeenAt, new Date(now.getTime() - idleMs)),
      ),
    );
  if (!row) return undefined;
  if (now.getTime() - row.session.lastSeenAt.getTime() > 60_000) {
    await db.update(staffSessions).set({ lastSeenAt: now }).where(eq(staffSessions.idHash, idHash));
  }
  return row;
}

export async function revokeStaffSession(idHash: string, now: Date): Promise<void> {
  const db = await getDb();
  await db.update(staffSessions).set({ revokedAt: now }).where(eq(staffSessions.idHash, idHash));
}

/** A person's live sessions, newest first (for "your sessions"). */
export async function listLiveStaffSessions(
  staffId: string,
  now: Date,
  idleMs: number,
): Promise<StaffSession[]> {
  const db = await getDb();
  return db
    .select()
    .from(staffSessions)
    .where(
      and(
        eq(staffSessions.staffId, staffId),
        eq(staffSessions.stage, "full"),
        isNull(staffSessions.revokedAt),
        gt(staffSessions.expiresAt, now),
        gt(staffSessions.lastSeenAt, new Date(now.getTime() - idleMs)),
      ),
    )
    .orderBy(desc(staffSessions.createdAt));
}

/** Ends one of the person's own sessions (by its reference), audited; false if none. */
export async function revokeOwnStaffSession(
  staffId: string,
  ref: string,
  now: Date,
  audit: AuditInput,
): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(staffSessions)
      .set({ revokedAt: now })
      .where(
        and(
          eq(staffSessions.staffId, staffId),
          eq(staffSessions.ref, ref),
          isNull(staffSessions.revokedAt),
        ),
      )
      .returning({ ref: staffSessions.ref });
    if (rows.length === 0) return false;
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    return true;
  });
}

/**
 * Changes an account (role, disabled, password, second factor) with its audit row; with
 * `revokeSessions`, every session of the person ends in the same transaction. Undefined when
 * there is no such account.
 */
export async function updateStaffAccount(
  staffId: string,
  patch: Partial<
    Pick<
      StaffUser,
      | "role"
      | "disabledAt"
      | "passwordHash"
      | "passwordSetBy"
      | "mfaSecret"
      | "mfaEnabledAt"
      | "mfaLastStep"
    >
  >,
  options: {
    revokeSessions: boolean;
    now: Date;
    audit: AuditInput;
    clearRecoveryCodes?: boolean;
    /** Only if the password is still this one (a change checked against it, not a reset since). */
    ifPasswordHash?: string;
  },
): Promise<StaffUser | undefined> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(staffUsers)
      .set(patch)
      .where(
        and(
          eq(staffUsers.id, staffId),
          options.ifPasswordHash === undefined
            ? undefined
            : eq(staffUsers.passwordHash, options.ifPasswordHash),
        ),
      )
      .returning();
    if (!row) return undefined;
    if (options.revokeSessions)
      await tx
        .update(staffSessions)
        .set({ revokedAt: options.now })
        .where(and(eq(staffSessions.staffId, staffId), isNull(staffSessions.revokedAt)));
    if (options.clearRecoveryCodes)
      await tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, staffId));
    await tx.insert(auditEvents).values({ ...options.audit, data: options.audit.data ?? {} });
    return row;
  });
}

/** The advisory lock admins' account changes queue on (changeStaffAccountByAdmin). */
export const ADMIN_ROSTER_LOCK = "staff:admin-roster";

/**
 * An admin's change to a colleague's account (role, disabled), audited in the same transaction.
 * Such changes queue on one transaction-scoped advisory lock, then lock the target row alone (as
 * any account update does): locking the admins' rows instead would cross a co-signature, which
 * locks its signers' rows in signing order, and deadlock. Under that lock the acting admin is
 * read again: one demoted or disabled by another admin meanwhile changes nothing (`not_admin`). A
 * change that takes an admin away needs another active admin left (`last_admin`): two admins
 * demoting each other at once leave one. A patch that is already the account's state
 * (disabling a disabled account, enabling an enabled one) writes and audits nothing
 * (`unchanged`), so the first disabled_at stands.
 */
export async function changeStaffAccountByAdmin(input: {
  adminId: string;
  staffId: string;
  patch: { role: StaffRole } | { disabledAt: Date | null };
  revokeSessions: boolean;
  now: Date;
  audit: (before: StaffUser) => AuditInput;
}): Promise<"done" | "unchanged" | "not_found" | "not_admin" | "last_admin"> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${ADMIN_ROSTER_LOCK}))`);
    // Read after the lock: each statement sees what the changes queued before it committed.
    const admins = await tx
      .select({ id: staffUsers.id })
      .from(staffUsers)
      .where(and(eq(staffUsers.role, "admin"), isNull(staffUsers.disabledAt)));
    const adminIds = new Set(admins.map((a) => a.id));
    if (!adminIds.has(input.adminId)) return "not_admin";
    const [before] = await tx
      .select()
      .from(staffUsers)
      .where(eq(staffUsers.id, input.staffId))
      .for("update");
    if (!before) return "not_found";
    const { patch } = input;
    if ("disabledAt" in patch && (patch.disabledAt === null) === (before.disabledAt === null))
      return "unchanged";
    const removesAdmin =
      adminIds.has(before.id) &&
      ("role" in patch ? patch.role !== "admin" : patch.disabledAt !== null);
    if (removesAdmin && [...adminIds].every((id) => id === before.id)) return "last_admin";
    await tx.update(staffUsers).set(patch).where(eq(staffUsers.id, before.id));
    if (input.revokeSessions)
      await tx
        .update(staffSessions)
        .set({ revokedAt: input.now })
        .where(and(eq(staffSessions.staffId, before.id), isNull(staffSessions.revokedAt)));
    const audit = input.audit(before);
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
    return "done";
  });
}

export async function getStaffById(id: string): Promise<StaffUser | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(staffUsers).where(eq(staffUsers.id, id));
  return row;
}

/** Every account, for the admin's account list (no secrets). */
export async function listStaffAccounts(): Promise<
  Pick<
    StaffUser,
    | "id"
    | "email"
    | "displayName"
    | "role"
    | "createdAt"
    | "lastLoginAt"
    | "disabledAt"
    | "mfaEnabledAt"
  >[]
> {
  const db = await getDb();
  return db
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      displayName: staffUsers.displayName,
      role: staffUsers.role,
      createdAt: staffUsers.createdAt,
      lastLoginAt: staffUsers.lastLoginAt,
      disabledAt: staffUsers.disabledAt,
      mfaEnabledAt: staffUsers.mfaEnabledAt,
    })
    .from(staffUsers)
    .orderBy(staffUsers.email);
}

/** Enabled staff accounts, for assigning cases. */
export async function listActiveStaff(): Promise<Pick<StaffUser, "id" | "displayName" | "role">[]> {
  const db = await getDb();
  return db
    .select({ id: staffUsers.id, displayName: staffUsers.displayName, role: staffUsers.role })
    .from(staffUsers)
    .where(isNull(staffUsers.disabledAt))
    .orderBy(staffUsers.displayName);
}

/** Names and roles of the given staff members (also disabled ones: history names them). */
export async function listStaffByIds(
  ids: readonly string[],
): Promise<Pick<StaffUser, "id" | "displayName" | "email" | "role" | "disabledAt">[]> {
  if (ids.length === 0) return [];
  const db = await getDb();
  return db
    .select({
      id: staffUsers.id,
      displayName: staffUsers.displayName,
      email: staffUsers.email,
      role: staffUsers.role,
      disabledAt: staffUsers.disabledAt,
    })
    .from(staffUsers)
    .where(inArray(staffUsers.id, [...ids]));
}

/** The console language an officer chose (a display preference: no session ends, no audit). */
export async function setStaffLocale(staffId: string, locale: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(staffUsers)
    .set({ locale })
    .where(eq(staffUsers.id, staffId))
    .returning({ id: staffUsers.id });
  return rows.length > 0;
}
