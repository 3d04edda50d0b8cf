/**
 * Password throttling by spacing attempts, never by lock-out (the second factor's per-account
 * cap, MAX_CODE_FAILURES_PER_ACCOUNT, is a fixed window: see there and docs/console.md).
 *
 * Every password attempt is keyed twice: the email and the client address (keyed hashes; the
 * table never holds either in the clear). Past a few free failures in the window, an attempt is
 * admitted only if it comes a while after the key's previous one: 1 s, 2 s, 4 s … up to 30 s, the
 * larger of the email's and the client's spacing. One that comes sooner is refused unchecked
 * ("try again in a moment", the same for every email, known or not) and changes nothing. The
 * decision is one transaction with the keys' rows locked (`admitLoginAttempt`), so twenty
 * parallel attempts are decided one after the other: the free ones are checked, the rest
 * refused. (A delay that each attempt slept through bounded how long each waited, not how many
 * ran at once.) A success takes its own count back.
 *
 * Why spacing and not a lock-out: anyone who knows an officer's email could otherwise keep that
 * officer out by failing on purpose. The spacing bounds how fast a password can be guessed (and
 * approvers and admins have a second factor on top), and a refused attempt does not push the next
 * admission further away: the officer gets in at most 30 s after the last attempt that was
 * checked, so an attacker can make them wait but not shut them out for longer than they keep
 * attacking, and the audit trail shows it.
 */
import "server-only";
import { admitLoginAttempt, countLoginAttempt, forgiveLoginAttempt } from "@/lib/db/queries/staff";
import { env } from "@/lib/env";
import { deriveKey, hmac } from "@/lib/identity/secrets";

export const THROTTLE_WINDOW_MINUTES = 15;
export const FREE_FAILURES_PER_EMAIL = 3;
export const FREE_FAILURES_PER_CLIENT = 10;
export const MAX_DELAY_SECONDS = 30;
/**
 * Wrong second-factor codes per account within the window, across all its half-signed-in
 * sessions: each session ends after 5, but the password opens a new one, so without this cap
 * every extra sign-in would buy 5 more guesses at a 6-digit code.
 */
export const MAX_CODE_FAILURES_PER_ACCOUNT = 10;
/**
 * The client when its address cannot be trusted (no proxy configured, or fewer hops than
 * configured): attempts are then keyed on the email alone, not on one bucket that everyone
 * without an address would share (and one person's failures would slow everyone down).
 */
export const UNKNOWN_CLIENT = "unknown";

function attemptKey(kind: "email" | "client" | "code", value: string): string {
  return hmac(deriveKey(env().appSecret, "staff-login-attempts"), `${kind}:${value}`);
}

/** The spacing before the nth attempt in a row: none for the free ones, then doubling. */
export function delayFor(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(2 ** (failures - free - 1), MAX_DELAY_SECONDS) * 1000;
}

export type CountedAttempt = { keys: string[]; emailKey: string };
export type Admission =
  | { admitted: true; attempt: CountedAttempt }
  | { admitted: false; emailKey: string; retryAfterMs: number };

function keysOf(email: string, client: string): { emailKey: string; keys: string[] } {
  const emailKey = attemptKey("email", email);
  const keys = client === UNKNOWN_CLIENT ? [emailKey] : [emailKey, attemptKey("client", client)];
  return { emailKey, keys };
}

function windowStartOf(now: Date): Date {
  return new Date(now.getTime() - THROTTLE_WINDOW_MINUTES * 60_000);
}

/**
 * Admits a password attempt for the email and the client, and counts it (as a failure until
 * `forgiveAttempt`); or refuses it, uncounted, when it comes too soon after the previous one.
 */
export async function admitAttempt(email: string, client: string, now: Date): Promise<Admission> {
  const { emailKey, keys } = keysOf(email, client);
  const decided = await admitLoginAttempt(keys, now, windowStartOf(now), (key, n) =>
    delayFor(n, key === emailKey ? FREE_FAILURES_PER_EMAIL : FREE_FAILURES_PER_CLIENT),
  );
  if (!decided.admitted) return { admitted: false, emailKey, retryAfterMs: decided.retryAfterMs };
  return { admitted: true, attempt: { keys, emailKey } };
}

/** A wrong second-factor code counts like a wrong password: the next password attempt waits. */
export async function countFailure(email: string, client: string, now: Date): Promise<void> {
  await countLoginAttempt(keysOf(email, client).keys, now, windowStartOf(now));
}

export async function forgiveAttempt(attempt: CountedAttempt): Promise<void> {
  await forgiveLoginAttempt(attempt.keys);
}

export type CountedCodeAttempt = {
  key: string;
  attempts: number;
  /** Whole minutes (at least 1) until the account's window ends and its codes are checked again. */
  retryAfterMinutes: number;
};

/**
 * Counts a second-factor code for the account before it is checked (one upsert, like a
 * password attempt): past MAX_CODE_FAILURES_PER_ACCOUNT in the window the code is refused
 * unchecked. A code that passes takes its count back (`forgiveCodeAttempt`), and so does a right
 * one that a parallel submission beat: it is no guess.
 */
export async function countCodeAttempt(staffId: string, now: Date): Promise<CountedCodeAttempt> {
  const key = attemptKey("code", staffId);
  const count = (await countLoginAttempt([key], now, windowStartOf(now))).get(key);
  // The window ends THROTTLE_WINDOW_MINUTES after it started; refused codes do not move it.
  const endsAt = (count?.windowStartedAt ?? now).getTime() + THROTTLE_WINDOW_MINUTES * 60_000;
  return {
    key,
    attempts: count?.failures ?? MAX_CODE_FAILURES_PER_ACCOUNT + 1,
    retryAfterMinutes: Math.min(
      THROTTLE_WINDOW_MINUTES,
      Math.max(1, Math.ceil((endsAt - now.getTime()) / 60_000)),
    ),
  };
}

/** Whether the account has no code left in its window: this one was (or is past) the last. */
export const codesSpent = (attempt: CountedCodeAttempt) =>
  attempt.attempts >= MAX_CODE_FAILURES_PER_ACCOUNT;

export async function forgiveCodeAttempt(attempt: CountedCodeAttempt): Promise<void> {
  await forgiveLoginAttempt([attempt.key]);
}
