import { and, count, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { getDb } from "../client";
import {
  auditEvents,
  staffLoginAttempts,
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

export async function updateStaffPassword(email: string, passwordHash: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(staffUsers)
    .set({ passwordHash })
    .where(eq(sql`lower(${staffUsers.email})`, email.toLowerCase()))
    .returning({ id: staffUsers.id });
  return rows.length > 0;
}

export async function getStaffByEmail(email: string): Promise<StaffUser | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(staffUsers)
    .where(eq(sql`lower(${staffUsers.email})`, email.toLowerCase()));
  return row;
}

export async function recordLoginAttempt(values: {
  at: Date;
  emailHash: string;
  clientHash: string;
  succeeded: boolean;
}): Promise<void> {
  const db = await getDb();
  await db.insert(staffLoginAttempts).values(values);
}

/** Failed attempts since `since`, for one email and for one client. */
export async function countRecentFailures(
  emailHash: string,
  clientHash: string,
  since: Date,
): Promise<{ email: number; client: number }> {
  const db = await getDb();
  const failed = (
    column: typeof staffLoginAttempts.emailHash | typeof staffLoginAttempts.clientHash,
    value: string,
  ) =>
    db
      .select({ n: count() })
      .from(staffLoginAttempts)
      .where(
        and(
          eq(column, value),
          gt(staffLoginAttempts.at, since),
          eq(staffLoginAttempts.succeeded, false),
        ),
      );
  const [[byEmail], [byClient]] = await Promise.all([
    failed(staffLoginAttempts.emailHash, emailHash),
    failed(staffLoginAttempts.clientHash, clientHash),
  ]);
  return { email: Number(byEmail?.n ?? 0), client: Number(byClient?.n ?? 0) };
}

/** The session and its audit event in one transaction; the login time on the account. */
export async function insertStaffSession(
  values: typeof staffSessions.$inferInsert,
  audit: AuditInput,
): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(staffSessions).values(values);
    await tx
      .update(staffUsers)
      .set({ lastLoginAt: values.createdAt })
      .where(eq(staffUsers.id, values.staffId));
    await tx.insert(auditEvents).values({ ...audit, data: audit.data ?? {} });
  });
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
): Promise<Pick<StaffUser, "id" | "displayName" | "email" | "role">[]> {
  if (ids.length === 0) return [];
  const db = await getDb();
  return db
    .select({
      id: staffUsers.id,
      displayName: staffUsers.displayName,
      email: staffUsers.email,
      role: staffUsers.role,
    })
    .from(staffUsers)
    .where(inArray(staffUsers.id, [...ids]));
}
