/**
 * Login throttling by progressive delay, never by lock-out.
 *
 * Every attempt is counted before its password is checked, against two keys: the email and the
 * client address (keyed hashes; the table never holds either in the clear). The count is one
 * upsert per attempt (`countLoginAttempt`), so twenty parallel attempts are twenty counts, not
 * twenty reads of the same number. Past a few free failures the attempt waits before its
 * password is checked: 1 s, 2 s, 4 s … up to 30 s, the larger of the email's and the client's
 * delay. A success takes its own count back.
 *
 * Why a delay and not a refusal: anyone who knows an officer's email could otherwise keep that
 * officer out by failing on purpose. The delay bounds how fast a password can be guessed (and
 * approvers and admins have a second factor on top) while the officer still gets in, at worst
 * after the longest delay.
 */
import "server-only";
import { countLoginAttempt, forgiveLoginAttempt } from "@/lib/db/queries/staff";
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

export type Wait = (ms: number) => Promise<void>;
export const realWait: Wait = (ms) =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

function attemptKey(kind: "email" | "client" | "code", value: string): string {
  return hmac(deriveKey(env().appSecret, "staff-login-attempts"), `${kind}:${value}`);
}

/** The delay before the nth failure-in-a-row is checked: none for the free ones, then doubling. */
export function delayFor(failures: number, free: number): number {
  if (failures <= free) return 0;
  return Math.min(2 ** (failures - free - 1), MAX_DELAY_SECONDS) * 1000;
}

export type CountedAttempt = { keys: [string, string]; emailKey: string; delayMs: number };

/** Counts the attempt for the email and the client; answers how long it must wait. */
export async function countAttempt(
  email: string,
  client: string,
  now: Date,
): Promise<CountedAttempt> {
  const emailKey = attemptKey("email", email);
  const clientKey = attemptKey("client", client);
  const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MINUTES * 60_000);
  const counts = await countLoginAttempt([emailKey, clientKey], now, windowStart);
  const delayMs = Math.max(
    delayFor(counts.get(emailKey) ?? 0, FREE_FAILURES_PER_EMAIL),
    delayFor(counts.get(clientKey) ?? 0, FREE_FAILURES_PER_CLIENT),
  );
  return { keys: [emailKey, clientKey], emailKey, delayMs };
}

export async function forgiveAttempt(attempt: CountedAttempt): Promise<void> {
  await forgiveLoginAttempt(attempt.keys);
}

export type CountedCodeAttempt = { key: string; attempts: number };

/**
 * Counts a second-factor code for the account before it is checked (one upsert, like a
 * password attempt): past MAX_CODE_FAILURES_PER_ACCOUNT in the window the code is refused
 * unchecked. A code that passes takes its count back (`forgiveCodeAttempt`).
 */
export async function countCodeAttempt(staffId: string, now: Date): Promise<CountedCodeAttempt> {
  const key = attemptKey("code", staffId);
  const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MINUTES * 60_000);
  const counts = await countLoginAttempt([key], now, windowStart);
  return { key, attempts: counts.get(key) ?? MAX_CODE_FAILURES_PER_ACCOUNT + 1 };
}

export async function forgiveCodeAttempt(attempt: CountedCodeAttempt): Promise<void> {
  await forgiveLoginAttempt([attempt.key]);
}
