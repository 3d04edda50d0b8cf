/**
 * Signed heads of the audit chain.
 *
 * The hash chain (lib/audit/verify.ts) shows that no row changed without every later hash being
 * rewritten; whoever can write the table can do exactly that (re-chain from the edited row on) or
 * cut rows off the end. A signature over the head (seq, hash), made with a key the database never
 * holds, pins the chain up to that point: a rewrite changes the hash at a signed seq, and a cut
 * removes a signed seq. Each signed head is appended to the chain itself (`audit.head_signed`,
 * append-only like every row) and logged as one JSON line for the operator to ship elsewhere:
 * a head kept only in the table goes with the table, so a cut tail or a table rewritten together
 * with its signed-head rows is found only against the exported lines (`audit:verify --heads=…`).
 *
 * Ed25519: the worker holds the private seed (AUDIT_SIGNING_KEY); whoever verifies needs only the
 * public key (AUDIT_VERIFY_KEY), so an auditor's machine cannot sign.
 */
import "server-only";
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { z } from "zod";
import { appendAuditEvent, getAuditChainHead } from "@/lib/db/queries/audit";
import { getLatestSignedHead } from "@/lib/db/queries/audit-chain";
import { env } from "@/lib/env";
import { log } from "@/lib/log";

export const HEAD_SIGNED_ACTION = "audit.head_signed";

/** A signed head, as stored in the chain's `data` and as exported in the log line. */
export const signedHead = z.object({
  seq: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.iso.datetime(),
  keyId: z.string().min(1).max(64),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});
export type SignedHead = z.infer<typeof signedHead>;

// DER prefixes that turn a raw 32-byte Ed25519 seed / public key into PKCS#8 / SPKI.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

function raw32(base64: string, name: string): Buffer {
  const bytes = Buffer.from(base64.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (bytes.length !== 32) throw new Error(`${name}: expected 32 bytes in base64`);
  return bytes;
}

export function signingKeyFrom(seedBase64: string): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw32(seedBase64, "AUDIT_SIGNING_KEY")]),
    format: "der",
    type: "pkcs8",
  });
}

export function verifyKeyFrom(publicBase64: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, raw32(publicBase64, "AUDIT_VERIFY_KEY")]),
    format: "der",
    type: "spki",
  });
}

/** The raw 32-byte public key in base64 (what AUDIT_VERIFY_KEY holds). */
export function publicKeyBase64(key: KeyObject): string {
  const publicKey = key.type === "public" ? key : createPublicKey(key);
  const der = publicKey.export({ format: "der", type: "spki" });
  return der.subarray(SPKI_PREFIX.length).toString("base64");
}

/** Short, stable name of a key, so a rotation shows in the exported lines. */
export function keyIdOf(key: KeyObject): string {
  return createHash("sha256").update(publicKeyBase64(key)).digest("hex").slice(0, 16);
}

function message(head: { seq: number; hash: string; signedAt: string }): Buffer {
  return Buffer.from(`kyc-audit-head:v1\n${head.seq}\n${head.hash}\n${head.signedAt}`, "utf8");
}

export function signHead(
  key: KeyObject,
  head: { seq: number; hash: string },
  now: Date,
): SignedHead {
  const unsigned = { seq: head.seq, hash: head.hash, signedAt: now.toISOString() };
  return {
    ...unsigned,
    keyId: keyIdOf(key),
    signature: sign(null, message(unsigned), key).toString("base64url"),
  };
}

/** Valid when one of `keys` with the head's key id verifies its signature. */
export function headSignatureValid(keys: KeyObject[], head: SignedHead): boolean {
  return keys.some((key) => {
    if (keyIdOf(key) !== head.keyId) return false;
    try {
      return verify(null, message(head), key, Buffer.from(head.signature, "base64url"));
    } catch {
      return false;
    }
  });
}

/**
 * The keys audit:verify checks with: the public ones (AUDIT_VERIFY_KEY, several during a
 * rotation), else the public half of the signing key. Empty: signed heads are not checked.
 */
export function configuredVerifyKeys(): KeyObject[] {
  const { verifyKeys, signingKey } = env().audit;
  if (verifyKeys.length > 0) return verifyKeys.map(verifyKeyFrom);
  return signingKey ? [createPublicKey(signingKeyFrom(signingKey))] : [];
}

/**
 * With both keys set, verification uses AUDIT_VERIFY_KEY alone: without the signing key's public
 * half in it, every head the worker signs would verify as a broken chain (an easy slip in a
 * rotation). Checked at start; throws naming the variable.
 */
export function checkAuditKeys(): void {
  const { verifyKeys, signingKey } = env().audit;
  if (!signingKey || verifyKeys.length === 0) return;
  const own = publicKeyBase64(signingKeyFrom(signingKey));
  if (!verifyKeys.some((key) => raw32(key, "AUDIT_VERIFY_KEY").toString("base64") === own))
    throw new Error(
      `AUDIT_VERIFY_KEY: does not list the public key of AUDIT_SIGNING_KEY (${own}); every head the worker signs would fail verification`,
    );
}

/** The exported heads in a log file: the `audit.head_signed` lines, anything else skipped. */
export function exportedHeadsIn(text: string): unknown[] {
  const heads: unknown[] = [];
  for (const line of text.split("\n")) {
    if (!line.includes(HEAD_SIGNED_ACTION)) continue;
    try {
      const parsed = JSON.parse(line) as { event?: unknown };
      if (parsed.event === HEAD_SIGNED_ACTION) heads.push(parsed);
    } catch {
      // not a JSON line: a log file may hold other output
    }
  }
  return heads;
}

/**
 * The worker's periodic step: signs the head when AUDIT_SIGN_MINUTES have passed since the last
 * signed head and something was appended since. Two workers may sign the same head at once;
 * that only adds a second valid signature.
 */
export async function signAuditHeadIfDue(now = new Date()): Promise<SignedHead | undefined> {
  const { signingKey, signEveryMinutes } = env().audit;
  if (!signingKey) return undefined;
  const head = await getAuditChainHead();
  if (!head) return undefined;
  const last = await getLatestSignedHead();
  if (last) {
    // Nothing but our own signature since: there is nothing new to pin.
    if (last.seq === head.seq) return undefined;
    if (now.getTime() - last.occurredAt.getTime() < signEveryMinutes * 60_000) return undefined;
  }
  const signed = signHead(signingKeyFrom(signingKey), head, now);
  await appendAuditEvent({
    actorType: "system",
    actorId: "audit-signer",
    action: HEAD_SIGNED_ACTION,
    data: signed,
    occurredAt: now,
  });
  // The export: one line per head, for the operator's log shipping to keep outside the database.
  log.info(HEAD_SIGNED_ACTION, signed);
  return signed;
}
