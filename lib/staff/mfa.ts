/**
 * The console's second factor: TOTP (RFC 6238, 30 s steps, 6 digits, SHA-1 as every
 * authenticator app speaks it) through otplib, plus one-time recovery codes.
 *
 * - The secret is stored encrypted (lib/security/encryption.ts) with the account id as
 *   additional data; while being enrolled it sits, encrypted, on the session that enrols it.
 * - A code is accepted for the current step and one step either side (clock drift), and only
 *   for a step later than the last one accepted (`acceptTotpStep`): a code seen over a shoulder
 *   or replayed from a log is refused.
 * - Recovery codes (10, 50 random bits each) are shown once and stored as keyed hashes; each
 *   is spent by one conditional update.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { generateSecret, generateURI, verify } from "otplib";
import { env } from "@/lib/env";
import { qrImage } from "@/lib/qr";
import { deriveKey, hmac } from "@/lib/identity/secrets";
import { decryptField, encryptField } from "@/lib/security/encryption";

export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "In-App KYC console";
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(secret: string, email: string): string {
  return generateURI({ issuer: `${ISSUER} (${env().brokerName})`, label: email, secret });
}

/** The secret as stored: encrypted, bound to the account (or, while enrolling, the session). */
export const sealSecret = (secret: string, staffId: string) =>
  encryptField(secret, `staff-mfa:${staffId}`);
export const openSecret = (sealed: string, staffId: string) =>
  decryptField(sealed, `staff-mfa:${staffId}`);

/**
 * The time step a code belongs to, if it is valid now (±1 step) and later than `afterStep`;
 * undefined otherwise.
 */
export async function checkTotp(
  secret: string,
  code: string,
  now: Date,
  afterStep?: number | null,
): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const epoch = Math.floor(now.getTime() / 1000);
  try {
    const result = await verify({
      secret,
      token: code,
      epoch,
      epochTolerance: 30,
      ...(afterStep != null ? { afterTimeStep: afterStep } : {}),
    });
    return result.valid && "timeStep" in result ? result.timeStep : undefined;
  } catch {
    // otplib refuses an afterTimeStep beyond the window (a clock set back): fail closed.
    return undefined;
  }
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    const chars = Array.from(bytes, (b) => BASE32[b & 31]).join("");
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** A recovery code as typed (any case, with or without the dash or spaces), or undefined. */
export function normaliseRecoveryCode(input: string): string | undefined {
  const bare = input.toLowerCase().replace(/[\s-]/g, "");
  return /^[a-z2-7]{10}$/.test(bare) ? `${bare.slice(0, 5)}-${bare.slice(5)}` : undefined;
}

export function hashRecoveryCode(staffId: string, code: string): string {
  return hmac(deriveKey(env().appSecret, "staff-recovery-codes"), `${staffId}:${code}`);
}

/** The enrolment QR code (an otpauth:// URI) as a data URL for an <img>. */
export async function enrolmentQr(secret: string, email: string): Promise<string> {
  return qrImage(totpUri(secret, email), 220);
}
