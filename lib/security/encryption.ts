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
 *
 * Stored files (document contents) use one binary envelope under the same case key, because
 * base64 would grow every file by a third: `KYCF`, a version byte (1), the IV, the ciphertext,
 * the tag. The header is part of the authenticated data, so a file cannot be relabelled.
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

const FILE_MAGIC = Buffer.from("KYCF", "ascii");
const FILE_VERSION = 1;
const FILE_HEADER_BYTES = FILE_MAGIC.length + 1;
/** What the envelope adds to a file: header, IV and tag. */
export const FILE_ENVELOPE_OVERHEAD = FILE_HEADER_BYTES + IV_BYTES + TAG_BYTES;

/**
 * True for bytes in the file envelope. No file the confirm accepts (JPEG, PNG, PDF, …) starts
 * with `KYCF`, so older objects stored in clear are told apart by their first bytes.
 */
export function isSealedFile(bytes: Uint8Array): boolean {
  return (
    bytes.length >= FILE_ENVELOPE_OVERHEAD &&
    Buffer.from(bytes.subarray(0, FILE_MAGIC.length)).equals(FILE_MAGIC)
  );
}

export function sealFileWithDataKey(key: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  const header = Buffer.concat([FILE_MAGIC, Buffer.from([FILE_VERSION])]);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.concat([header, Buffer.from(aad, "utf8")]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, ciphertext, cipher.getAuthTag()]);
}

export function openFileWithDataKey(key: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (!isSealedFile(bytes) || bytes[FILE_MAGIC.length] !== FILE_VERSION)
    throw new AppError("INTERNAL", "unreadable encrypted file");
  const header = bytes.subarray(0, FILE_HEADER_BYTES);
  const iv = bytes.subarray(FILE_HEADER_BYTES, FILE_HEADER_BYTES + IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.concat([header, Buffer.from(aad, "utf8")]));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(bytes.subarray(FILE_HEADER_BYTES + IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (error) {
    throw new AppError("INTERNAL", "encrypted file failed authentication", { cause: error });
  }
}
