/**
 * Field encryption for personal data at rest: AES-256-GCM, a fresh 96-bit IV per value, and
 * the case id as additional authenticated data — a ciphertext copied into another case's row
 * does not decrypt. The key is derived from APP_SECRET with HKDF for this purpose only.
 *
 * Format: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url). The key id lets a later key
 * provider rotate keys: old values name the key that decrypts them.
 */
import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { deriveKey } from "@/lib/identity/secrets";

const KEY_ID = "k1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

type Keyring = { current: string; keys: Map<string, Buffer> };
let cache: { secret: string; ring: Keyring } | undefined;

function keyring(): Keyring {
  const secret = env().appSecret;
  if (cache?.secret !== secret) {
    cache = {
      secret,
      ring: { current: KEY_ID, keys: new Map([[KEY_ID, deriveKey(secret, "pii-encryption:v1")]]) },
    };
  }
  return cache.ring;
}

export function encryptField(plaintext: string, aad: string): string {
  const { current, keys } = keyring();
  const key = keys.get(current);
  if (!key) throw new Error("no current encryption key");
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    "v1",
    current,
    iv.toString("base64url"),
    ciphertext.toString("base64url"),
    tag.toString("base64url"),
  ].join(".");
}

export function decryptField(value: string, aad: string): string {
  const parts = value.split(".");
  const [version, keyId, iv, ciphertext, tag] = parts;
  const key = keyId ? keyring().keys.get(keyId) : undefined;
  if (parts.length !== 5 || version !== "v1" || !key || !iv || ciphertext === undefined || !tag) {
    throw new AppError("INTERNAL", "unreadable encrypted value");
  }
  const ivBytes = Buffer.from(iv, "base64url");
  const tagBytes = Buffer.from(tag, "base64url");
  // GCM would accept a truncated tag (down to 4 bytes, forgeable by trial): only the full one.
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES)
    throw new AppError("INTERNAL", "encrypted value failed authentication");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, ivBytes, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  } catch (error) {
    throw new AppError("INTERNAL", "encrypted value failed authentication", { cause: error });
  }
}

export function encryptJson(value: unknown, aad: string): string {
  return encryptField(JSON.stringify(value), aad);
}

export function decryptJson<T = unknown>(value: string, aad: string): T {
  return JSON.parse(decryptField(value, aad)) as T;
}
