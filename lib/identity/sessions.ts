/**
 * Trader sessions.
 *
 * The cookie carries a 256-bit random id; the database stores only its SHA-256. A session ends
 * after SESSION_IDLE_MINUTES without a request (default 30) or SESSION_ABSOLUTE_MINUTES after it
 * began (default 240), whichever comes first; both are checked in SQL against an injected clock.
 *
 * A trader has one full session at a time: a new entry (cTrader or SSO) revokes the trader's
 * older sessions, so a link or cookie left in another browser stops working. A phone handoff
 * starts a scoped session (one document type of one case, PHONE_SESSION_MINUTES at most) and
 * revokes only older scoped ones, so the desktop that showed the QR code keeps its session.
 *
 * The screen layer carries the id in a cookie (lib/inapp/session-cookie.ts); this module sees
 * only the value.
 */
import { env } from "@/lib/env";
import {
  getLiveSessionContext,
  insertSessionWithAudit,
  isSessionLive,
  revokeSession,
} from "@/lib/db/queries/sessions";
import type { KycCase, Session, Trader } from "@/lib/db/schema";
import { newToken, sha256, TOKEN_PATTERN } from "./secrets";

/** How often last_seen_at is moved forward; idle expiry is accurate to this much. */
const TOUCH_EVERY_MS = 60_000;

/** The most a phone-handoff session lives, whatever SESSION_ABSOLUTE_MINUTES says. */
export const PHONE_SESSION_MINUTES = 15;

/**
 * How long a phone-handoff session lives: PHONE_SESSION_MINUTES, never longer than any session.
 * The desktop that handed the link out follows the phone's uploads for as long (see
 * lib/identity/phone-handoff.ts), so both read it here.
 */
export function phoneSessionMinutes(): number {
  return Math.min(PHONE_SESSION_MINUTES, env().session.absoluteMinutes);
}

/** How long a session's resume code works (lib/identity/resume.ts): to read a screen and click. */
export const RESUME_MINUTES = 5;

/** A session last seen before this is idle: over. */
export function idleCutoff(now: Date): Date {
  return new Date(now.getTime() - env().session.idleMinutes * 60_000);
}

/**
 * When a session last seen at `lastSeenAt` goes idle unless a request comes first: the instant
 * `idleCutoff` passes it. Exact, although `last_seen_at` is moved only once per TOUCH_EVERY_MS:
 * the idle check compares that same recorded value, so a request that was not recorded does not
 * keep the session live past this either (adding the interval would follow a session over).
 */
export function idleEnd(lastSeenAt: Date): Date {
  return new Date(lastSeenAt.getTime() + env().session.idleMinutes * 60_000);
}

/**
 * A started session: its secret id (for the cookie), how long it may live, and for a resumable
 * one the code that reopens it in a new window if the cookie does not arrive.
 */
export type StartedSession = {
  id: string;
  expiresAt: Date;
  maxAgeSeconds: number;
  resume?: string;
};

export type StartSession = {
  traderId: string;
  caseId: string | null;
  identityMode: "ot-handoff" | "sso" | "phone-handoff";
  locale: string;
  theme: string | null;
  source: string | null;
  account: string | null;
  /** Phone handoff: the one document type the session may upload (required in that mode). */
  documentScope?: string;
  /**
   * A cTrader or SSO entry: the session gets a resume code, for a browser that drops the cookie
   * in cTrader Web's cross-site iframe (lib/identity/resume.ts).
   */
  resumable?: boolean;
  /** Facts recorded with the `session.started` audit event. */
  audit?: Record<string, unknown>;
  now?: Date;
};

export async function startSession(input: StartSession): Promise<StartedSession> {
  const started = await openSession(input);
  if (!started) throw new Error("a session that spends no resume code is always inserted");
  return started;
}

/**
 * A full session that spends a resume code (lib/identity/resume.ts) in the same transaction:
 * undefined, and nothing written, when the code is no longer usable (spent by a second click,
 * expired, its session ended).
 */
export async function startResumedSession(
  input: StartSession,
  resumeHash: string,
): Promise<StartedSession | undefined> {
  return openSession(input, resumeHash);
}

async function openSession(
  input: StartSession,
  spendsResume?: string,
): Promise<StartedSession | undefined> {
  const now = input.now ?? new Date();
  const scoped = input.identityMode === "phone-handoff";
  // Fail closed: a handoff session without a scope would be a full session.
  if (scoped !== (input.documentScope !== undefined))
    throw new Error("a phone-handoff session needs a document scope, and only it");
  const minutes = scoped ? phoneSessionMinutes() : env().session.absoluteMinutes;
  const expiresAt = new Date(now.getTime() + minutes * 60_000);
  const id = newToken();
  const resume = input.resumable && !scoped ? newToken() : undefined;
  const { inserted } = await insertSessionWithAudit(
    {
      idHash: sha256(id),
      traderId: input.traderId,
      caseId: input.caseId,
      identityMode: input.identityMode,
      locale: input.locale,
      theme: input.theme,
      source: input.source,
      account: input.account,
      documentScope: input.documentScope ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      resumeHash: resume ? sha256(resume) : null,
      resumeExpiresAt: resume ? new Date(now.getTime() + RESUME_MINUTES * 60_000) : null,
    },
    {
      actorType: "trader",
      actorId: input.traderId,
      action: "session.started",
      traderId: input.traderId,
      caseId: input.caseId,
      occurredAt: now,
      data: { mode: input.identityMode, ...input.audit },
    },
    scoped ? "scoped" : "all",
    spendsResume === undefined
      ? undefined
      : { resumeHash: spendsResume, idleCutoff: idleCutoff(now) },
  );
  if (!inserted) return undefined;
  return { id, expiresAt, maxAgeSeconds: minutes * 60, ...(resume && { resume }) };
}

/** The live session for a cookie value, or undefined (absent, malformed, idle, expired, revoked). */
export async function resolveSession(
  cookieValue: string | undefined,
  now = new Date(),
): Promise<Session | undefined> {
  return (await resolveSessionContext(cookieValue, now))?.session;
}

export async function endSession(cookieValue: string, now = new Date()): Promise<void> {
  if (TOKEN_PATTERN.test(cookieValue)) await revokeSession(sha256(cookieValue), now);
}

/** Whether the session is still live (not revoked, expired or idle), without counting as activity. */
export async function sessionStillLive(session: Session, now = new Date()): Promise<boolean> {
  return isSessionLive(session.idHash, now, idleCutoff(now));
}

/** The live session with its trader and open case: one query (see getLiveSessionContext). */
export async function resolveSessionContext(
  cookieValue: string | undefined,
  now = new Date(),
): Promise<{ session: Session; trader: Trader; kycCase: KycCase | null } | undefined> {
  if (!cookieValue || !TOKEN_PATTERN.test(cookieValue)) return undefined;
  const touchBefore = new Date(now.getTime() - TOUCH_EVERY_MS);
  return getLiveSessionContext(sha256(cookieValue), now, idleCutoff(now), touchBefore);
}
