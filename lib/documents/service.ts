/**
 * Document uploads for the trader's case, from the upload URL to the verdict:
 *
 * 1. `startUpload`: checks the request (type, side, declared size and content type, the case
 *    accepts documents, the per-case file limit, counted and recorded under the case's row lock,
 *    where the case's status is checked again: a submit that came first refuses the start),
 *    records a pending row and returns where the
 *    browser posts the file (a presigned S3 POST, or our own signed local URL). The storage key
 *    is ours (`cases/<caseId>/<documentId>`), never the file's name.
 * 2. The browser uploads straight to storage (no byte passes through us in `s3` mode).
 * 3. `confirmUpload`: re-checks what was actually stored (size, magic bytes, full decode under
 *    a pixel limit, PDF safety), stores a clean re-encoded copy (no EXIF/GPS), sealed under the
 *    case's data key, under a key of its own, deletes the browser's raw upload, records its SHA-256 and size, and supersedes the previous version. A refused file
 *    leaves no object and no document row behind; the refusal is an audit event and counts
 *    against the case's file limit for an hour (REFUSALS_COUNT_FOR_MS). Quality scores, the perceptual hash and look-alikes used
 *    by other traders are computed from the stored copy by the checks after submit (analysis.ts).
 *
 * Abandoned uploads (a URL issued, never confirmed) are purged once their URL expired.
 *
 * Refusals are reasons from the upload contract's closed list (upload-contract.ts); the routes
 * turn them into HTTP statuses.
 */
import { AppError, errorMessage } from "@/lib/errors";
import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import {
  confirmDocument,
  deletePendingDocument,
  getCaseDocument,
  insertPendingDocumentWithinLimit,
  listAbandonedUploads,
  refusePendingDocument,
} from "@/lib/db/queries/documents";
import { getDraftVersion } from "@/lib/db/queries/drafts";
import type { DocumentRow, KycCase } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { EDITABLE_STATUSES } from "@/lib/kyc/case-state";
import { getLevel } from "@/lib/kyc/levels";
import { loadStepDrafts } from "@/lib/kyc/drafts";
import { askedAgain, shownIdentityKind } from "@/lib/kyc/requirements";
import {
  loadActionRequest,
  loadCaseProgress,
  takesOwnIdentityUpload,
  uploadsAsked,
} from "@/lib/kyc/submission";
import { requestCovers } from "@/lib/kyc/trader-view";
import { log } from "@/lib/log";
import { caseCipher } from "@/lib/security/case-keys";
import { documentKey, storage as getStorage, verifiedDocumentKey } from "@/lib/storage";
import { inspectDocument } from "./inspect";
import { readDocumentFile, storeDocumentFile } from "./stored-file";
import {
  completeSelfieChallengeWhenDone,
  createSelfieChallenge,
  getOpenSelfieChallenge,
  listChallengeFrames,
} from "@/lib/db/queries/selfie";
import {
  drawPrompts,
  frameIndex,
  frameSignature,
  sameFrame,
  SELFIE_CHALLENGE_TTL_SECONDS,
} from "./selfie-frames";
import { documentCheckSeconds } from "@/lib/metrics/document-checks";
import type { StoredFileFacts } from "./stored-quality";
import {
  isDocumentType,
  isUploadContentType,
  SELFIE_BURST_FRAMES,
  SELFIE_BURST_MAX_BYTES,
  SELFIE_FRAMES,
  selfieBurstImage,
  type ConfirmUploadResponse,
  type SelfieChallengeResponse,
  type StartUploadRequest,
  type StartUploadResponse,
  type UploadRefusal,
} from "./upload-contract";

/** How long after its URL expired a pending upload may still be confirmed. */
const CONFIRM_GRACE_MS = 60_000;

/** How often a selfie frame's confirm compares again when frames keep being accepted meanwhile. */
const CONFIRM_ROUNDS = 4;

/**
 * How long after its URL expired an unconfirmed upload is purged. Longer than an upload can
 * still be arriving: S3 checks the POST policy's expiry when a request starts and stores the
 * object when it ends, and the local route lets an upload that started in time finish a minute
 * late. A purge before the bytes land would leave an object no row names, which nothing deletes.
 */
export const ABANDONED_UPLOAD_GRACE_MS = 15 * 60_000;

/**
 * How long a refused file counts against the case's limit: long enough that a loop of hostile
 * files stops at the limit, short enough that a genuine trader whose phone produced unreadable
 * files can try again later the same day.
 */
export const REFUSALS_COUNT_FOR_MS = 60 * 60_000;

export type UploadOutcome<T> = { ok: true; value: T } | { ok: false; reason: UploadRefusal };

const refuse = (reason: UploadRefusal) => ({ ok: false as const, reason });

type CaseRef = Pick<KycCase, "id" | "status" | "level">;

/**
 * Documents are accepted — a side uploaded for the first time or one uploaded before and now
 * replaced — while the trader can still change the case; after a request for more or a retry
 * rejection, only the documents (and steps' documents) that were named.
 */
export async function acceptsDocuments(kycCase: CaseRef, documentType: string): Promise<boolean> {
  if (!EDITABLE_STATUSES.has(kycCase.status)) return false;
  // A selfie only where the level asks for one: it is not a document a trader adds unasked.
  if (documentType === "selfie" && !getLevel(kycCase.level).documents.includes("selfie"))
    return false;
  // A vendor-only level's identity document is the vendor's capture, in a draft as in a request.
  if (documentType === "identity" && !takesOwnIdentityUpload(kycCase.level)) return false;
  const raw = await loadActionRequest(kycCase);
  if (!raw && kycCase.status !== "action_required") return true;
  if (!isDocumentType(documentType)) return false;
  // What the vendor configuration leaves of the request: a vendor-only level's identity document
  // is the vendor's capture, never an upload of ours.
  const request = uploadsAsked(kycCase.level, raw);
  if (request && requestCovers(request, documentType)) return true;
  // Asked again without being named (a bill for an address changed since it was checked).
  return askedAgain((await loadCaseProgress(kycCase)).requirements, documentType);
}

/** `request` was parsed with the contract's schema (the side fits the type, sizes are integers). */
export async function startUpload(
  kycCase: CaseRef,
  request: StartUploadRequest,
  now = new Date(),
): Promise<UploadOutcome<StartUploadResponse>> {
  const { documentType, side, contentType, size, fileName } = request;
  const limits = env().storage;
  if (!isUploadContentType(contentType)) return refuse("unsupported_type");
  if (size === 0) return refuse("empty");
  if (size > limits.uploadMaxBytes) return refuse("too_large");
  if (!(await acceptsDocuments(kycCase, documentType))) return refuse("not_editable");
  let selfie: { challengeId: string; prompt: string } | null = null;
  if (documentType === "selfie") {
    // Frames are captured from the live camera and encoded by the screen: a JPEG, nothing else.
    if (contentType !== "image/jpeg") return refuse("unsupported_type");
    const challenge = request.challengeId
      ? await getOpenSelfieChallenge(kycCase.id, request.challengeId, now)
      : undefined;
    const prompt = challenge?.prompts[frameIndex(side)];
    if (!challenge || !prompt) return refuse("challenge_invalid");
    selfie = { challengeId: challenge.id, prompt };
  }

  await purgeAbandonedUploads(now);
  const documentId = randomUUID();
  const key = documentKey(kycCase.id, documentId);
  const ttl = limits.uploadUrlTtlSeconds;
  const expiresAt = new Date(now.getTime() + ttl * 1000);
  const originalName = fileName ? (await caseCipher(kycCase.id)).encrypt(fileName) : null;
  const first = documentType === "identity" ? await pickedIdentityKind(kycCase.id) : undefined;
  // The kind whose sides the screen showed: as it says (a phone's screen may still show the kind
  // the desktop has since changed), else the one picked when the start came in (an older client).
  const asked = request.identityKind !== undefined ? request.identityKind : first?.kind;
  let recorded: Awaited<ReturnType<typeof insertPendingDocumentWithinLimit>> = "draft_changed";
  for (let attempt = 0; attempt < KIND_READS && recorded === "draft_changed"; attempt++) {
    const picked = attempt === 0 ? first : await pickedIdentityKind(kycCase.id);
    // Another kind picked since the screen showed its sides, or saved meanwhile: the photo was
    // taken for the kind asked, which may be retired already; recorded as the new kind it would
    // count as a side of a document it is not.
    if (picked && picked.kind !== asked) return refuse("superseded");
    recorded = await insertPendingDocumentWithinLimit(
      {
        id: documentId,
        caseId: kycCase.id,
        documentType,
        side,
        identityKind: picked?.kind ?? null,
        storageKey: key,
        declaredType: contentType,
        originalName,
        uploadExpiresAt: expiresAt,
        challengeId: selfie?.challengeId ?? null,
        prompt: selfie?.prompt ?? null,
      },
      {
        maxFiles: limits.maxFilesPerCase,
        refusalsSince: new Date(now.getTime() - REFUSALS_COUNT_FOR_MS),
        // Abandoned, though not purged yet (ABANDONED_UPLOAD_GRACE_MS): not a file of the case.
        abandonedBefore: new Date(now.getTime() - CONFIRM_GRACE_MS),
        editable: EDITABLE_STATUSES,
        ...(picked && { identityDraftVersion: picked.draftVersion }),
      },
    );
  }
  // Saved under every read (a client saving without pause): the trader takes the photo again.
  if (recorded === "draft_changed") return refuse("superseded");
  if (recorded === "erased") return refuse("case_erased");
  if (recorded === "not_editable") return refuse("not_editable");
  if (recorded === "limit_reached") return refuse("too_many_files");
  const upload = await getStorage().createUpload({
    key,
    contentType,
    maxBytes: maxBytesOf(documentType),
    expiresInSeconds: ttl,
  });
  return {
    ok: true,
    value: {
      documentId,
      upload: { method: "POST", url: upload.url, fields: upload.fields },
      expiresAt: expiresAt.toISOString(),
    },
  };
}

/**
 * How often a start records an identity photo when the identity step is saved between its read
 * of the kind and the row's insert (an autosave of another field leaves the kind as it was).
 */
const KIND_READS = 3;

/**
 * The kind of identity document picked in the trader's draft, the one the upload screens ask for
 * the sides of: the photo is that kind's (lib/kyc/requirements.ts, `ofSavedIdentityKind`). Null
 * before a kind is chosen. With the draft's version, read before it: the insert, under the case's
 * lock, records the kind only if no save came in between, since a "Save and continue" of another
 * kind retires that kind's photos and would miss a row inserted after it (it would stay current).
 */
async function pickedIdentityKind(
  caseId: string,
): Promise<{ kind: string | null; draftVersion: number }> {
  const draftVersion = await getDraftVersion(caseId, "identity_document");
  return { kind: shownIdentityKind(await loadStepDrafts(caseId)), draftVersion };
}

/**
 * The most a file of this type may weigh: the signed form's size limit and the confirm's. A
 * selfie burst's lower limit holds on what is stored, not only on what the browser declared.
 */
function maxBytesOf(documentType: string): number {
  const { uploadMaxBytes } = env().storage;
  return documentType === "selfie"
    ? Math.min(SELFIE_BURST_MAX_BYTES, uploadMaxBytes)
    : uploadMaxBytes;
}

async function discard(documentId: string, key: string): Promise<void> {
  await deleteQuietly(key);
  await deletePendingDocument(documentId);
}

/** What a confirm decided, answered again to a replay. */
function decided(
  row: Pick<DocumentRow, "id" | "status" | "superseded">,
): UploadOutcome<ConfirmUploadResponse> {
  if (row.status === "pending") return refuse("not_uploaded");
  if (row.superseded) return refuse("superseded");
  return { ok: true, value: { documentId: row.id, state: row.status } };
}

export async function confirmUpload(
  kycCase: CaseRef,
  traderId: string,
  documentId: string,
  now = new Date(),
): Promise<UploadOutcome<ConfirmUploadResponse>> {
  if (!z.uuid().safeParse(documentId).success) return refuse("not_found");
  const row = await getCaseDocument(kycCase.id, documentId);
  if (!row) return refuse("not_found");
  // A replayed confirm changes nothing and answers what the first one decided. The upload key is
  // emptied again: a replay of the signed form may have put a clear file there since.
  if (row.status !== "pending") {
    await deleteQuietly(documentKey(kycCase.id, row.id));
    return decided(row);
  }
  if (!(await acceptsDocuments(kycCase, row.documentType))) return refuse("not_editable");
  // A refused file is deleted with its row, and the refusal audited (document.refused).
  const refuseFile = async (refusal: UploadRefusal) => {
    await deleteQuietly(row.storageKey);
    await refusePendingDocument({ id: row.id, caseId: kycCase.id, traderId, reason: refusal, now });
    log.info("documents.refused", { reason: refusal, documentType: row.documentType });
    return refuse(refusal);
  };
  // Started for what the case asked before it was sent, taken back or decided (voidPendingUploads):
  // the trader chose it for that, not for what is asked now. Refused before any check, so a bad one is not
  // counted against the new round's file limit either; the trader uploads it again.
  if (row.voidedAt) return refuseFile("earlier_round");

  const storage = getStorage();
  const maxBytes = maxBytesOf(row.documentType);
  const head = await storage.head(row.storageKey);
  if (!head) {
    // Expired: the purge removes the row and whatever still lands under its key
    // (ABANDONED_UPLOAD_GRACE_MS); deleting the row here would orphan a file still arriving.
    if (row.uploadExpiresAt.getTime() + CONFIRM_GRACE_MS < now.getTime()) return refuse("expired");
    return refuse("not_uploaded");
  }
  // The POST policy is not trusted alone (and local S3 emulators ignore it).
  if (head.size > maxBytes) return refuseFile("too_large");
  const bytes = await readUpload(row.storageKey, maxBytes);
  if (!Buffer.isBuffer(bytes)) {
    // The file changed between the look and the read. A concurrent confirm of this upload (a
    // retry, a double tap) recorded it and emptied the key: this one answers what that one
    // decided, in the upload contract like any answer. Otherwise a replay of the form put a larger
    // file there, or the key was emptied and the file is still to come.
    const current = await getCaseDocument(kycCase.id, row.id);
    if (!current) return refuse("not_found");
    if (current.status !== "pending") return decided(current);
    return bytes.missing === "too_large" ? refuseFile("too_large") : refuse("not_uploaded");
  }
  const started = performance.now();
  const verdict = await inspectDocument(bytes, row.declaredType);
  documentCheckSeconds().observe((performance.now() - started) / 1000);
  if (!verdict.ok) return refuseFile(verdict.reason);
  const frame = row.documentType === "selfie" && verdict.kind === "image";
  // The shape of what is stored (what the reviewer will see), not of what was sent.
  if (
    frame &&
    !selfieBurstImage.safeParse({ width: verdict.width, height: verdict.height }).success
  )
    return refuseFile("not_a_burst");
  // The checked bytes go under a key of their own that no upload form can target: the browser's
  // presigned form stays valid for minutes after this confirm, and a replay of it must not
  // replace what was checked. The upload key is then emptied.
  // Sealed under the case key (stored-file.ts): the bucket never holds the checked file in clear.
  const storedKey = verifiedDocumentKey(kycCase.id, row.id, randomBytes(8).toString("hex"));
  const facts: StoredFileFacts =
    verdict.kind === "image"
      ? {
          sourceType: verdict.sourceType,
          width: verdict.width,
          height: verdict.height,
          ...(row.documentType === "selfie" ? { burstFrames: SELFIE_BURST_FRAMES } : {}),
        }
      : { sourceType: verdict.sourceType, pages: verdict.pages };
  let stored = false;
  let confirmed: Awaited<ReturnType<typeof confirmDocument>> = "frames_changed";
  // A selfie frame is compared with the attempt's frames accepted so far, and confirmed only if
  // no other was accepted meanwhile (`comparedFrames`, checked under the case's exclusive lock):
  // two prompts' confirms of one picture at once would otherwise each find the other not there.
  // Each round that finds a newer frame compares again; an attempt has a few frames.
  for (let round = 0; round < CONFIRM_ROUNDS && confirmed === "frames_changed"; round++) {
    const others =
      frame && row.challengeId
        ? await listChallengeFrames(kycCase.id, row.challengeId, row.id)
        : undefined;
    if (others && (await repeatsAnotherFrame(others, verdict.bytes))) {
      if (stored) await deleteQuietly(storedKey);
      return refuseFile("frame_repeated");
    }
    if (!stored) await storeDocumentFile(kycCase.id, row.id, storedKey, verdict.bytes);
    stored = true;
    try {
      confirmed = await confirmDocument({
        id: row.id,
        caseId: kycCase.id,
        traderId,
        status: "accepted",
        editable: EDITABLE_STATUSES,
        storageKey: storedKey,
        contentType: verdict.contentType,
        sizeBytes: verdict.bytes.length,
        sha256: verdict.sha256,
        phash: null,
        quality: facts,
        reason: null,
        now,
        ...(others && { comparedFrames: others.map((o) => o.id) }),
      });
    } catch (error) {
      // Unless the commit went through before the failure, the row is still pending for another
      // confirm and this copy would be no document's. When even that cannot be read, it stays.
      const after = await getCaseDocument(kycCase.id, row.id).then(
        (found) => ({ found }),
        () => undefined,
      );
      if (after && after.found?.storageKey !== storedKey) await deleteQuietly(storedKey);
      throw error;
    }
  }
  if (confirmed === "frames_changed") {
    // Frames kept arriving: nothing is decided. The upload stays pending (the purge removes it)
    // and the screen asks for this prompt's burst again.
    await deleteQuietly(storedKey);
    return refuse("not_uploaded");
  }
  if (confirmed === "erased") {
    // The retention purge erased the case while this file was checked: nothing more is written
    // to it (no refusal recorded either), and neither copy of the file stays.
    await deleteQuietly(storedKey);
    await deleteQuietly(row.storageKey);
    return refuse("case_erased");
  }
  if (confirmed === "not_editable") {
    // The case was submitted while this file was being checked: it is not part of the case. It
    // is refused like a file the check refused (document.refused), not just deleted: the signed
    // form stays valid for minutes, a replay of it puts the file back at its upload key with no
    // row on S3 (the local driver refuses it), and only a recorded refusal has the retention
    // purge empty that key once the form expired. It does not count against the case's file
    // limit (REFUSALS_NOT_COUNTED, lib/db/queries/documents.ts).
    await deleteQuietly(storedKey);
    return refuseFile("not_editable");
  }
  if (confirmed === "voided") {
    // Voided while this file was checked, and the case asks again already: as above.
    await deleteQuietly(storedKey);
    return refuseFile("earlier_round");
  }
  if (confirmed === "pending_lost") {
    // A concurrent confirm of the same upload decided first, with the bytes it checked under its
    // own key: this one's copy is no document's.
    await deleteQuietly(storedKey);
    const current = await getCaseDocument(kycCase.id, documentId);
    if (!current || current.status === "pending") return refuse("not_uploaded");
    return decided(current);
  }
  await deleteQuietly(row.storageKey);
  if (confirmed === "retired") {
    log.info("documents.superseded", { documentType: row.documentType });
    return refuse("superseded");
  }
  if (row.challengeId)
    await completeSelfieChallengeWhenDone(kycCase.id, row.challengeId, SELFIE_FRAMES.length, now);
  return { ok: true, value: { documentId, state: "accepted" } };
}

/**
 * Starts an attempt at the selfie: the server draws the prompts' order and records it, and each
 * frame's upload names the attempt (startUpload ties the frame to its prompt).
 */
export async function startSelfieChallenge(
  kycCase: CaseRef,
  now = new Date(),
): Promise<UploadOutcome<SelfieChallengeResponse>> {
  if (!(await acceptsDocuments(kycCase, "selfie"))) return refuse("not_editable");
  const expiresAt = new Date(now.getTime() + SELFIE_CHALLENGE_TTL_SECONDS * 1000);
  const challenge = await createSelfieChallenge({
    caseId: kycCase.id,
    prompts: drawPrompts(),
    expiresAt,
    now,
  });
  if (challenge === "erased") return refuse("case_erased");
  return {
    ok: true,
    value: {
      challengeId: challenge.id,
      prompts: challenge.prompts as SelfieChallengeResponse["prompts"],
      expiresAt: expiresAt.toISOString(),
      expiresInSeconds: SELFIE_CHALLENGE_TTL_SECONDS,
    },
  };
}

/**
 * Whether a prompt's burst is the same picture as another prompt's already accepted: one
 * recording uploaded for every prompt is not a live capture. The frames within one burst are not
 * compared with each other: a face that barely moved between them is for the reviewer to judge,
 * not a reason to refuse.
 */
async function repeatsAnotherFrame(others: readonly DocumentRow[], bytes: Buffer) {
  if (others.length === 0) return false;
  const mine = await frameSignature(bytes);
  for (const other of others) {
    if (sameFrame(mine, await frameSignature(await readDocumentFile(other)))) return true;
  }
  return false;
}

/** The uploaded file, or why it could not be read: gone since it was looked at, or grown. */
async function readUpload(
  key: string,
  maxBytes: number,
): Promise<Buffer | { missing: "not_uploaded" | "too_large" }> {
  try {
    return await getStorage().get(key, { maxBytes });
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") return { missing: "not_uploaded" };
    if (error instanceof AppError && error.code === "PAYLOAD_TOO_LARGE")
      return { missing: "too_large" };
    throw error;
  }
}

async function deleteQuietly(key: string): Promise<void> {
  await getStorage()
    .delete(key)
    .catch((error: unknown) =>
      log.warn("documents.delete_failed", {
        error: errorMessage(error),
      }),
    );
}

/** Deletes uploads whose URL expired unconfirmed: their objects, then their rows. */
export async function purgeAbandonedUploads(now = new Date()): Promise<number> {
  const stale = await listAbandonedUploads(new Date(now.getTime() - ABANDONED_UPLOAD_GRACE_MS));
  for (const row of stale) await discard(row.id, row.storageKey);
  return stale.length;
}
