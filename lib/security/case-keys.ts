/**
 * Per-case data keys (crypto-shredding). Each case's personal values are sealed under a random
 * 256-bit key of its own; the database holds that key only wrapped by the current app key
 * (additional data `case-key:<case id>`, so a wrapped key moved to another case does not open).
 * Erasure destroys the wrapped key: the rows, and every backup of them, stay ciphertext for good.
 *
 * Values written before case keys existed (`v1`, directly under an app key) still decrypt
 * (dual read); `npm run keys:rotate` re-encrypts them under their case key.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { getCaseKey, insertCaseKeyOrGet } from "@/lib/db/queries/case-keys";
import type { CaseKeyRow } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import {
  currentKeyId,
  decryptField,
  encryptField,
  openFileWithDataKey,
  openWithDataKey,
  sealFileWithDataKey,
  sealWithDataKey,
} from "./encryption";

export type CaseCipher = {
  encrypt(plaintext: string): string;
  decrypt(value: string): string;
  encryptJson(value: unknown): string;
  /**
   * A sealed JSON value parsed with the schema its writer uses (never a cast): the reader decides
   * what a value that does not parse means for it. Text that is not JSON fails the same way; a
   * value that does not decrypt throws (GONE once the case's key was destroyed).
   */
  decryptJson<S extends z.ZodType>(value: string, schema: S): z.ZodSafeParseResult<z.output<S>>;
  /** A document's file contents, bound to the document (its id is authenticated). */
  sealFile(documentId: string, bytes: Uint8Array): Buffer;
  openFile(documentId: string, sealed: Uint8Array): Buffer;
};

const wrapAad = (caseId: string) => `case-key:${caseId}`;
// A file copied to another document's key, or another case's, does not open.
const fileAad = (caseId: string, documentId: string) => `document:${caseId}/${documentId}`;

export function wrapCaseKey(caseId: string, key: Buffer): { wrappedKey: string; keyId: string } {
  return {
    wrappedKey: encryptField(key.toString("base64url"), wrapAad(caseId)),
    keyId: currentKeyId(),
  };
}

export function unwrapCaseKey(row: Pick<CaseKeyRow, "caseId" | "wrappedKey">): Buffer {
  if (!row.wrappedKey) throw new AppError("GONE", "this case's personal data was erased");
  return Buffer.from(decryptField(row.wrappedKey, wrapAad(row.caseId)), "base64url");
}

const jsonText = z.string().transform((text, ctx): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    ctx.addIssue({ code: "custom", message: "not JSON" });
    return z.NEVER;
  }
});

function cipherFor(caseId: string, key: Buffer): CaseCipher {
  const decrypt = (value: string) =>
    value.startsWith("v1.")
      ? decryptField(value, caseId)
      : openWithDataKey(key, value, caseId).toString("utf8");
  return {
    encrypt: (plaintext) => sealWithDataKey(key, Buffer.from(plaintext, "utf8"), caseId),
    decrypt,
    encryptJson: (value) =>
      sealWithDataKey(key, Buffer.from(JSON.stringify(value), "utf8"), caseId),
    decryptJson: (value, schema) => jsonText.pipe(schema).safeParse(decrypt(value)),
    sealFile: (documentId, bytes) => sealFileWithDataKey(key, bytes, fileAad(caseId, documentId)),
    openFile: (documentId, sealed) => openFileWithDataKey(key, sealed, fileAad(caseId, documentId)),
  };
}

/** The case's cipher, creating its key at first use; refuses (GONE) once the key was destroyed. */
export async function caseCipher(caseId: string): Promise<CaseCipher> {
  let row = await getCaseKey(caseId);
  if (!row) row = await insertCaseKeyOrGet({ caseId, ...wrapCaseKey(caseId, randomBytes(32)) });
  return cipherFor(caseId, unwrapCaseKey(row));
}
