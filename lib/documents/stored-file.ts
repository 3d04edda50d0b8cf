/**
 * Document files at rest. The server writes every stored file sealed under its case's data key
 * (lib/security/case-keys.ts, the binary envelope of lib/security/encryption.ts), so the bucket,
 * the local disk and every backup of them hold ciphertext; erasing the case destroys the key and
 * with it every copy of the files. Everything that reads a file comes through `readDocumentFile`.
 *
 * Files stored before this (in clear) are still read: the envelope's header tells them apart, and
 * their SHA-256 must match the one recorded at the confirm. `sealClearDocuments` (the
 * `npm run documents:seal` command) encrypts them in place.
 *
 * The stored object's content type is `application/octet-stream`: what it really is lives in the
 * document row, and the object must not look like an image to anything that serves it.
 */
import "server-only";
import { createHash } from "node:crypto";
import { listStoredDocumentsAfter, whileDocumentKept } from "@/lib/db/queries/documents";
import { env } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { caseCipher } from "@/lib/security/case-keys";
import { FILE_ENVELOPE_OVERHEAD, isSealedFile } from "@/lib/security/encryption";
import { storage } from "@/lib/storage";

export const SEALED_CONTENT_TYPE = "application/octet-stream";

export type StoredDocumentRef = {
  id: string;
  caseId: string;
  storageKey: string;
  sizeBytes: number | null;
  sha256: string | null;
};

/** Seals `bytes` under the case key and stores them under `key` (replacing what was there). */
export async function storeDocumentFile(
  caseId: string,
  documentId: string,
  key: string,
  bytes: Uint8Array,
): Promise<void> {
  const sealed = (await caseCipher(caseId)).sealFile(documentId, bytes);
  await storage().put(key, sealed, SEALED_CONTENT_TYPE);
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * The file's contents in clear. Refuses (GONE) once the case key was destroyed, and (INTERNAL) a
 * sealed file that does not authenticate or a clear one that is not what the confirm recorded.
 */
export async function readDocumentFile(document: StoredDocumentRef): Promise<Buffer> {
  const limit = (document.sizeBytes ?? env().storage.uploadMaxBytes) + FILE_ENVELOPE_OVERHEAD;
  const stored = await storage().get(document.storageKey, { maxBytes: limit });
  if (isSealedFile(stored))
    return (await caseCipher(document.caseId)).openFile(document.id, stored);
  // A file from before encryption: only what was checked is handed out.
  if (document.sha256 && sha256(stored) !== document.sha256)
    throw new AppError("INTERNAL", "stored file does not match its recorded hash");
  return stored;
}

export type SealReport = { sealed: number; alreadySealed: number; skipped: number };

/**
 * Encrypts the files still stored in clear, a batch of rows at a time in id order. Each file is
 * read, checked against its hash and written back sealed under the same key; running it again
 * finds nothing to do. A document deleted or a case erased meanwhile is skipped, never written
 * back, as is a file whose object is gone or does not match its hash (logged: that needs a
 * person, not a rewrite).
 */
export async function sealClearDocuments(batch = 200): Promise<SealReport> {
  const report: SealReport = { sealed: 0, alreadySealed: 0, skipped: 0 };
  let after: string | undefined;
  for (;;) {
    const rows = await listStoredDocumentsAfter(after, batch);
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.id;
      const limit = (row.sizeBytes ?? env().storage.uploadMaxBytes) + FILE_ENVELOPE_OVERHEAD;
      let stored: Buffer;
      try {
        if (!(await storage().head(row.storageKey))) {
          report.skipped++;
          log.warn("documents.seal_missing", { documentId: row.id });
          continue;
        }
        stored = await storage().get(row.storageKey, { maxBytes: limit });
      } catch (error) {
        report.skipped++;
        log.warn("documents.seal_unreadable", { documentId: row.id, code: codeOf(error) });
        continue;
      }
      if (isSealedFile(stored)) {
        report.alreadySealed++;
        continue;
      }
      if (row.sha256 && sha256(stored) !== row.sha256) {
        report.skipped++;
        log.warn("documents.seal_hash_mismatch", { documentId: row.id });
        continue;
      }
      let sealed: Buffer;
      try {
        sealed = (await caseCipher(row.caseId)).sealFile(row.id, stored);
      } catch (error) {
        if (!isAppError(error) || error.code !== "GONE") throw error;
        report.skipped++;
        continue;
      }
      // Written under a lock the purge waits for: a purge that ran since the read has deleted the
      // document (nothing is written), one that starts now deletes what was written.
      const written = await whileDocumentKept(row, () =>
        storage().put(row.storageKey, sealed, SEALED_CONTENT_TYPE),
      );
      if (written) report.sealed++;
      else report.skipped++;
    }
  }
  return report;
}

function codeOf(error: unknown): string {
  return isAppError(error) ? error.code : "error";
}
