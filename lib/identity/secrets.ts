/**
 * Random tokens, hashes and keyed MACs. Every token we issue carries 256 random bits; what we
 * store is its SHA-256, which is enough for a value that cannot be guessed (no salt or slow hash
 * needed: there is nothing to brute-force). Comparisons of secrets are constant-time.
 */
import "server-only";
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** A purpose-bound key derived from APP_SECRET, so one secret never serves two uses. */
export function deriveKey(appSecret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", appSecret, "inapp-kyc", purpose, 32));
}

export function hmac(key: Buffer, value: string): string {
  return createHmac("sha256", key).update(value, "utf8").digest("base64url");
}

export function safeEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right);
}
