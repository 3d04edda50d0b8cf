/**
 * Field encryption for personal data at rest: AES-256-GCM, a fresh 96-bit IV per value, and an
 * additional-data string binding the value to its place (the case id for case data) — a
 * ciphertext copied into another case's row does not decrypt.
 *
 * Two formats (base64url parts):
 * - `v1.<key id>.<iv>.<ciphertext>.<tag>`: under an app key of the keyring (APP_SECRET's `k1`,
 *   or an APP_KEYS entry). Staff MFA secrets, wrapped case keys, and case data written before
 *   case keys existed.
 * - `v2.<iv>.<ciphertext>.<tag>`: under a case's own data key (lib/security/case-keys.ts), which
 *   only exists wrapped by an app key; destroying it shreds every such value and its backups.
 */
import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { deriveKey } from "@/lib/identity/secrets";

/** The key derived from APP_SECRET: current until APP_KEYS names another, then readable only. */
export const LEGACY_KEY_ID = "k1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PURPOSE = "pii-encryption:v1";

type Keyring = { current: string; keys: Map<string, Buffer> };
let cache: { config: ReturnType<typeof env>; ring: Keyring } | undefined;

function keyring(): Keyring {
  const config = env();
  if (cache?.config !== config) {
    const keys = new Map([[LEGACY_KEY_ID, deriveKey(config.appSecret, PURPOSE)]]);
    for (const { id, secret } of config.retention.appKeys) keys.set(id, deriveKey(secret, PURPOSE));
    cache = { config, ring: { current: config.retention.appKeys[0]?.id ?? LEGACY_KEY_ID, keys } };
  }
  return cache.ring;
}

/** The id of the app key new values and newly wrapped case keys use. */
export function currentKeyId(): string {
  return keyring().current;
}

function seal(key: Buffer, plaintext: string | Buffer, aad: string): string[] {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString("base64url"));
}

function open(key: Buffer, iv: string, ciphertext: string, tag: string, aad: string): Buffer {
  const ivBytes = Buffer.from(iv, "base64url");
  const tagBytes = Buffer.from(tag, "base64url");
  // GCM would accept a truncated tag (down to 4 bytes, forgeable by trial): only the full one.
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
    throw new AppError("INTERNAL", "encrypted value failed authentication");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]);
  } catch (error) {
    throw new AppError("INTERNAL", "encrypted value failed authentication", { cause: error });
  }
}

export function encryptField(plaintext: string, aad: string): string {
  const { current, keys } = keyring();
  const key = keys.get(current);
  if (!key) throw new Error("no current encryption key");
  return ["v1", current, ...seal(key, Buffer.from(plaintext, "utf8"), aad)].join(".");
}

/** The app key id a `v1` value names (undefined for anything else). */
export function appKeyIdOf(value: string): string | undefined {
  const parts = value.split(".");
  return parts.length === 5 && parts[0] === "v1" ? parts[1] : undefined;
}

export function decryptField(value: string, aad: string): string {
  const parts = value.split(".");
  const [version, keyId, iv, ciphertext, tag] = parts;
  const key = keyId ? keyring().keys.get(keyId) : undefined;
  if (parts.length !== 5 || version !== "v1" || !key || !iv || ciphertext === undefined || !tag) {
    throw new AppError("INTERNAL", "unreadable encrypted value");
  }
  return open(key, iv, ciphertext, tag, aad).toString("utf8");
}

export function encryptJson(value: unknown, aad: string): string {
  return encryptField(JSON.stringify(value), aad);
}

export function decryptJson<T = unknown>(value: string, aad: string): T {
  return JSON.parse(decryptField(value, aad)) as T;
}

/** A value under a data key of our own (a case key): `v2.<iv>.<ciphertext>.<tag>`. */
export function sealWithDataKey(key: Buffer, plaintext: Buffer, aad: string): string {
  return ["v2", ...seal(key, plaintext, aad)].join(".");
}

export function openWithDataKey(key: Buffer, value: string, aad: string): Buffer {
  const parts = value.split(".");
  const [version, iv, ciphertext, tag] = parts;
  if (parts.length !== 4 || version !== "v2" || !iv || ciphertext === undefined || !tag)
    throw new AppError("INTERNAL", "unreadable encrypted value");
  return open(key, iv, ciphertext, tag, aad);
}
