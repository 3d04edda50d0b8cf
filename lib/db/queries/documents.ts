import {
  and,
  asc,
  count,
  eq,
  gte,
  inArray,
  isNull,
  lt,
  ne,
  notInArray,
  or,
  sql,
} from "drizzle-orm";
import { getDb } from "../client";
import {
  auditEvents,
  caseDrafts,
  caseKeys,
  documents,
  kycCases,
  type DocumentRow,
} from "../schema";
import { lockCaseForWrite, type Tx } from "./cases";
import { preparedPerHandle } from "./prepared";
import type { z } from "zod";
import type { documentRefusedSchema } from "@/lib/retention/deletions";

/** The case's documents the trader sees: not superseded by a newer upload of the same side. */
export async function listCurrentDocuments(caseId: string): Promise<DocumentRow[]> {
  return currentDocumentsQuery(await getDb()).execute({ caseId });
}

/** Prepared: every screen render of the flow and the status screen reads the checklist. */
const currentDocumentsQuery = preparedPerHandle((db) =>
  db
    .select()
    .from(documents)
    .where(and(eq(documents.caseId, sql.placeholder("caseId")), isNull(documents.replacedAt)))
    .prepare("list_current_documents"),
);

/** The audit action of an upload refused by the server-side check (its row is deleted). */
export const DOCUMENT_REFUSED = "document.refused";

/**
 * Refusals that say nothing about the file and do not count against the case's limit.
 * `not_editable`: the case was submitted while the file was being checked; `earlier_round`: it
 * was confirmed after the case stopped taking what it was started for (voidPendingUploads). A start is refused
 * before any form is issued once the case is submitted, so each happens at most once per upload
 * begun before the submit and cannot be looped; counted, it would take a file's place from a
 * trader whose case comes back for more within the hour.
 */
const REFUSALS_NOT_COUNTED = ["not_editable", "earlier_round"];

/**
 * Records a pending upload when the case is under its limit, in one transaction under the
 * case's row lock, so concurrent starts are counted one after the other and the limit holds.
 * What counts: the case's current files and uploads in progress (a replaced file stays as
 * evidence but no longer counts, so rounds of "upload it again" never leave a trader unable to
 * upload), plus the uploads refused since `refusalsSince` (a refused file leaves no row, so
 * without them a loop of hostile files would never reach the limit; REFUSALS_NOT_COUNTED aside).
 * Answers whether the row was written; `erased` when the retention purge erased the case
 * (meanwhile or before); `not_editable` when the case left `editable` (a submit) while the start
 * waited for its lock: the caller's check of the status was read before it; `draft_changed` when
 * the identity step's draft is no longer at `identityDraftVersion`: the identity kind the row
 * records was read from an older draft, and a "Save and continue" of another kind may have retired
 * that kind's photos before this row existed (the caller reads the kind again).
 */
export async function insertPendingDocumentWithinLimit(
  values: Pick<
    typeof documents.$inferInsert,
    | "id"
    | "caseId"
    | "documentType"
    | "side"
    | "identityKind"
    | "storageKey"
    | "declaredType"
    | "originalName"
    | "uploadExpiresAt"
    | "challengeId"
    | "prompt"
  >,
  limit: {
    maxFiles: number;
    refusalsSince: Date;
    /** A pending upload whose form expired before this no longer takes a file's place. */
    abandonedBefore: Date;
    /** The case statuses that still accept documents. */
    editable: ReadonlySet<string>;
    /** An identity photo: the version of the identity step's draft its kind was read at (0: none). */
    identityDraftVersion?: number;
  },
): Promise<"inserted" | "limit_reached" | "erased" | "not_editable" | "draft_changed"> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // FOR NO KEY UPDATE: starts on one case wait for each other, while inserts elsewhere that
    // only reference the case (their foreign key takes KEY SHARE) do not wait. A start that
    // waited for the purge erasing the case records nothing: its form would land bytes on a case
    // whose key is gone.
    const status = await lockCaseForWrite(tx, values.caseId, "exclusive");
    if (status === "erased") return "erased";
    if (!status || !limit.editable.has(status)) return "not_editable";
    if (limit.identityDraftVersion !== undefined) {
      const [draft] = await tx
        .select({ version: caseDrafts.version })
        .from(caseDrafts)
        .where(and(eq(caseDrafts.caseId, values.caseId), eq(caseDrafts.step, "identity_document")));
      if ((draft?.version ?? 0) !== limit.identityDraftVersion) return "draft_changed";
    }
    const [files] = await tx
      .select({ n: count() })
      .from(documents)
      .where(
        and(
          eq(documents.caseId, values.caseId),
          // An upload still on its way counts whether or not it was retired meanwhile.
          or(
            and(isNull(documents.replacedAt), ne(documents.status, "pending")),
            and(
              eq(documents.status, "pending"),
              gte(documents.uploadExpiresAt, limit.abandonedBefore),
            ),
          ),
        ),
      );
    const [refused] = await tx
      .select({ n: count() })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.caseId, values.caseId),
          eq(auditEvents.action, DOCUMENT_REFUSED),
          gte(auditEvents.occurredAt, limit.refusalsSince),
          sql`coalesce(${auditEvents.data}->>'reason', '') not in (${sql.join(
            REFUSALS_NOT_COUNTED.map((r) => sql`${r}`),
            sql`, `,
          )})`,
        ),
      );
    if (Number(files?.n ?? 0) + Number(refused?.n ?? 0) >= limit.maxFiles) return "limit_reached";
    await tx.insert(documents).values({ ...values, status: "pending" });
    return "inserted";
  });
}

/**
 * Deletes a pending row whose file the server-side check refused and records the refusal (it
 * counts against the case's limit for a while, see insertPendingDocumentWithinLimit).
 */
export async function refusePendingDocument(input: {
  id: string;
  caseId: string;
  traderId: string;
  reason: string;
  now: Date;
}): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(documents)
      .where(and(eq(documents.id, input.id), eq(documents.status, "pending")))
      .returning({ documentType: documents.documentType, side: documents.side });
    if (!row) return;
    const data: z.input<typeof documentRefusedSchema> = {
      documentId: input.id,
      documentType: row.documentType,
      side: row.side,
      reason: input.reason,
    };
    await tx.insert(auditEvents).values({
      actorType: "trader",
      actorId: input.traderId,
      action: DOCUMENT_REFUSED,
      caseId: input.caseId,
      traderId: input.traderId,
      occurredAt: input.now,
      data,
    });
  });
}

export async function getCaseDocument(
  caseId: string,
  documentId: string,
): Promise<DocumentRow | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(documents)
    .where(and(eq(documents.id, documentId), eq(documents.caseId, caseId)));
  return row;
}

/** Removes a pending row (refused or abandoned upload); a confirmed one is never deleted. */
export async function deletePendingDocument(documentId: string): Promise<void> {
  const db = await getDb();
  await db
    .delete(documents)
    .where(and(eq(documents.id, documentId), eq(documents.status, "pending")));
}

export async function listAbandonedUploads(before: Date, limit = 100): Promise<DocumentRow[]> {
  const db = await getDb();
  return db
    .select()
    .from(documents)
    .where(and(eq(documents.status, "pending"), lt(documents.uploadExpiresAt, before)))
    .limit(limit);
}

/**
 * Confirms an upload: the previous current version of the same case, document and side is
 * marked replaced and this one takes its place (stored under its verified key), with the audit
 * event, in one transaction. The case's status is checked under the row lock a submit takes
 * (lockCaseForWrite, exclusive): a confirm that began before the submit and ends after it is
 * refused, and confirms of one case run one after the other.
 * Answers `pending_lost` when the row was no longer pending (a concurrent confirm won), `voided`
 * when the case stopped taking what it was started for (voidPendingUploads).
 */
export async function confirmDocument(input: {
  id: string;
  caseId: string;
  traderId: string;
  status: "accepted" | "retake";
  /** The case statuses that still accept documents. */
  editable: ReadonlySet<string>;
  storageKey: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  phash: string | null;
  quality: Record<string, unknown>;
  reason: string | null;
  now: Date;
  /**
   * A selfie frame: the attempt's other accepted frames the caller compared it with. Another
   * accepted since answers `frames_changed` and changes nothing (the caller compares again).
   */
  comparedFrames?: readonly string[];
}): Promise<
  "confirmed" | "retired" | "pending_lost" | "not_editable" | "voided" | "erased" | "frames_changed"
> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // Exclusive: a confirm retires other rows (the side's current file, an earlier selfie
    // attempt's frames), and so does a change of identity document kind.
    const status = await lockCaseForWrite(tx, input.caseId, "exclusive");
    if (status === "erased") return "erased";
    if (!status || !input.editable.has(status)) return "not_editable";
    const [row] = await tx
      .select()
      .from(documents)
      .where(and(eq(documents.id, input.id), eq(documents.status, "pending")))
      .for("update");
    if (!row) return "pending_lost";
    // Voided when the case stopped taking what it was started for: nothing the case asks now is
    // what the trader chose it for, whatever the case's status.
    if (row.voidedAt) return "voided";
    if (input.comparedFrames && row.challengeId) {
      const compared = new Set(input.comparedFrames);
      const frames = await tx
        .select({ id: documents.id })
        .from(documents)
        .where(
          and(
            eq(documents.caseId, row.caseId),
            eq(documents.challengeId, row.challengeId),
            eq(documents.status, "accepted"),
            isNull(documents.replacedAt),
            ne(documents.id, row.id),
          ),
        );
      if (frames.some((f) => !compared.has(f.id))) return "frames_changed";
    }
    // Retired while it was uploading (retireCurrentDocuments): it is stored as evidence, already
    // replaced, and takes no side's place.
    const retired = row.replacedAt !== null;
    // Before the side's own replacement, so the retirement names the whole earlier attempt.
    // The first frame accepted for a new selfie attempt retires the earlier attempts' frames:
    // frames of two attempts never make one selfie (each answers its own prompts).
    if (row.challengeId && !retired)
      await retireCurrentDocuments(tx, {
        caseId: row.caseId,
        documentType: "selfie",
        keepChallenge: row.challengeId,
        audit: {
          actorId: input.traderId,
          traderId: input.traderId,
          data: { reason: "new_selfie_attempt", challengeId: row.challengeId },
        },
        now: input.now,
      });
    if (!retired)
      await tx
        .update(documents)
        .set({ replacedAt: input.now })
        .where(
          and(
            eq(documents.caseId, row.caseId),
            eq(documents.documentType, row.documentType),
            eq(documents.side, row.side),
            ne(documents.status, "pending"),
            isNull(documents.replacedAt),
            // Each kind of identity document keeps its own file of a side (an ID card's front
            // and a driving licence's); one of no kind stands for any kind's.
            row.identityKind === null
              ? undefined
              : or(eq(documents.identityKind, row.identityKind), isNull(documents.identityKind)),
          ),
        );
    await tx
      .update(documents)
      .set({
        status: input.status,
        storageKey: input.storageKey,
        contentType: input.contentType,
        sizeBytes: input.sizeBytes,
        sha256: input.sha256,
        phash: input.phash,
        quality: input.quality,
        reason: input.reason,
        confirmedAt: input.now,
        superseded: retired,
      })
      .where(eq(documents.id, input.id));
    await tx.insert(auditEvents).values({
      actorType: "trader",
      actorId: input.traderId,
      action: "document.uploaded",
      caseId: input.caseId,
      traderId: input.traderId,
      occurredAt: input.now,
      data: {
        documentId: input.id,
        documentType: row.documentType,
        side: row.side,
        status: input.status,
        sha256: input.sha256,
      },
    });
    return retired ? "retired" : "confirmed";
  });
}

/**
 * Voids the case's uploads still on their way: the case stops taking what they were started for
 * (it is sent, taken back into review, decided, or an upgrade declined). Call it in the
 * transaction of that change, which locks the case row a confirm locks too, so a confirm lands
 * either before the change (and in what was sent) or after it, refused: a file the trader chose
 * for one round or request never becomes the answer to a later one. Marked replaced as well, so
 * the upload screens stop showing the side as uploading.
 */
export async function voidPendingUploads(tx: Tx, caseId: string, now: Date): Promise<void> {
  await tx
    .update(documents)
    .set({
      replacedAt: sql`coalesce(${documents.replacedAt}, ${now.toISOString()}::timestamptz)`,
      voidedAt: now,
    })
    .where(
      and(
        eq(documents.caseId, caseId),
        eq(documents.status, "pending"),
        isNull(documents.voidedAt),
      ),
    );
}

/**
 * The case's current files of one document type stop being its documents (marked replaced, kept
 * as evidence), with a `document.retired` audit event listing them. Call it in the transaction of
 * the change that retires them. `keepChallenge`: a selfie attempt's own frames stay. Uploads
 * still on their way are retired with them: confirmed later, they are kept as evidence and never
 * become current (confirmDocument), so a front started for an ID card cannot turn up as the
 * front of the driving licence chosen meanwhile.
 */
export async function retireCurrentDocuments(
  tx: Tx,
  input: {
    caseId: string;
    documentType: string;
    keepChallenge?: string;
    /**
     * A kind of identity document confirmed: its files of the sides it has stay, and so do the
     * files of no kind (uploaded before any was chosen) of those sides, which become its own.
     */
    keepKind?: { kind: string; sides: readonly string[] };
    audit: { actorId: string; traderId: string; data: Record<string, unknown> };
    now: Date;
  },
): Promise<void> {
  const retired = await tx
    .update(documents)
    .set({ replacedAt: input.now })
    .where(
      and(
        eq(documents.caseId, input.caseId),
        eq(documents.documentType, input.documentType),
        isNull(documents.replacedAt),
        input.keepChallenge === undefined
          ? undefined
          : sql`${documents.challengeId} is distinct from ${input.keepChallenge}`,
        input.keepKind === undefined
          ? undefined
          : or(
              notInArray(documents.side, [...input.keepKind.sides]),
              ne(documents.identityKind, input.keepKind.kind),
            ),
      ),
    )
    .returning({ id: documents.id, side: documents.side });
  if (input.keepKind)
    await tx
      .update(documents)
      .set({ identityKind: input.keepKind.kind })
      .where(
        and(
          eq(documents.caseId, input.caseId),
          eq(documents.documentType, input.documentType),
          isNull(documents.replacedAt),
          isNull(documents.identityKind),
        ),
      );
  if (retired.length === 0) return;
  await tx.insert(auditEvents).values({
    actorType: "trader",
    actorId: input.audit.actorId,
    action: "document.retired",
    caseId: input.caseId,
    traderId: input.audit.traderId,
    occurredAt: input.now,
    data: {
      ...input.audit.data,
      documentType: input.documentType,
      documentIds: retired.map((r) => r.id),
      sides: retired.map((r) => r.side),
    },
  });
}

/**
 * Confirmed documents of other traders with the same bytes, or an image whose perceptual hash
 * is within `maxDistance` bits (the same photo re-encoded or resized). Scans the hashes: fine
 * for a broker's volumes; an index-friendly scheme (hash bands) can replace it later.
 */
export async function findDocumentsOfOtherTraders(input: {
  traderId: string;
  sha256: string;
  phash: string | null;
  maxDistance: number;
}): Promise<{ documentId: string; caseId: string; exact: boolean }[]> {
  const db = await getDb();
  const similar =
    input.phash && /^[0-9a-f]{16}$/.test(input.phash)
      ? sql`or (${documents.phash} ~ '^[0-9a-f]{16}$' and bit_count(('x' || ${documents.phash})::bit(64) # ('x' || ${input.phash})::bit(64)) <= ${input.maxDistance})`
      : sql``;
  const rows = await db
    .select({ documentId: documents.id, caseId: documents.caseId, sha256: documents.sha256 })
    .from(documents)
    .innerJoin(kycCases, eq(kycCases.id, documents.caseId))
    .where(
      and(
        ne(kycCases.traderId, input.traderId),
        ne(documents.status, "pending"),
        sql`(${documents.sha256} = ${input.sha256} ${similar})`,
      ),
    )
    .limit(20);
  return rows.map((r) => ({
    documentId: r.documentId,
    caseId: r.caseId,
    exact: r.sha256 === input.sha256,
  }));
}

/**
 * Records what the checks learned from a stored document (lib/documents/analysis.ts): its
 * perceptual hash, and the analysis merged into `quality` next to what confirm recorded.
 */
export async function recordDocumentAnalysis(input: {
  id: string;
  phash: string | null;
  analysis: Record<string, unknown>;
}): Promise<void> {
  const db = await getDb();
  await db
    .update(documents)
    .set({
      phash: input.phash,
      quality: sql`coalesce(${documents.quality}, '{}'::jsonb) || ${JSON.stringify(input.analysis)}::jsonb`,
    })
    .where(and(eq(documents.id, input.id), ne(documents.status, "pending")));
}

export async function getDocumentById(documentId: string): Promise<DocumentRow | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(documents).where(eq(documents.id, documentId));
  return row;
}

export async function listAllCaseDocuments(caseId: string): Promise<DocumentRow[]> {
  const db = await getDb();
  return db.select().from(documents).where(eq(documents.caseId, caseId));
}

/**
 * Runs `write` (a rewrite of the document's stored object) in a transaction that keeps the
 * document and its case from going meanwhile, if both are still there; false when the document
 * was deleted or its case erased (nothing written). The case row is key-share locked, which only
 * the purge's lock waits for (the app's own case updates do not), and the document row shared,
 * which its deletion waits for: both delete objects after taking their lock, so a file written
 * here is either deleted by them afterwards or never written.
 */
export async function whileDocumentKept(
  document: { id: string; caseId: string },
  write: () => Promise<void>,
): Promise<boolean> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [kycCase] = await tx
      .select({ id: kycCases.id })
      .from(kycCases)
      .where(eq(kycCases.id, document.caseId))
      .for("key share");
    if (!kycCase) return false;
    const [kept] = await tx
      .select({ id: documents.id })
      .from(documents)
      .where(eq(documents.id, document.id))
      .for("share");
    const [key] = await tx
      .select({ destroyedAt: caseKeys.destroyedAt })
      .from(caseKeys)
      .where(eq(caseKeys.caseId, document.caseId));
    if (!kept || key?.destroyedAt) return false;
    await write();
    return true;
  });
}

/** Stored (not pending) documents with an id after `after`, in id order: a backfill's batch. */
export async function listStoredDocumentsAfter(
  after: string | undefined,
  limit: number,
): Promise<Pick<DocumentRow, "id" | "caseId" | "storageKey" | "sizeBytes" | "sha256">[]> {
  const db = await getDb();
  return db
    .select({
      id: documents.id,
      caseId: documents.caseId,
      storageKey: documents.storageKey,
      sizeBytes: documents.sizeBytes,
      sha256: documents.sha256,
    })
    .from(documents)
    .where(
      and(ne(documents.status, "pending"), after ? sql`${documents.id} > ${after}` : undefined),
    )
    .orderBy(documents.id)
    .limit(limit);
}

/**
 * Identity images confirmed since `since` on cases the trader can still edit, whose zone nobody
 * looked at yet: the pre-fill's catch-up when no request scheduled the read (oldest first).
 */
export async function listIdentityImagesAwaitingZoneRead(
  since: Date,
  limit = 20,
): Promise<Pick<DocumentRow, "id" | "caseId">[]> {
  const db = await getDb();
  return db
    .select({ id: documents.id, caseId: documents.caseId })
    .from(documents)
    .innerJoin(kycCases, eq(kycCases.id, documents.caseId))
    .where(
      and(
        eq(documents.documentType, "identity"),
        eq(documents.status, "accepted"),
        isNull(documents.replacedAt),
        isNull(documents.zoneReadAt),
        sql`${documents.contentType} like 'image/%'`,
        gte(documents.confirmedAt, since),
        inArray(kycCases.status, ["draft", "action_required"]),
      ),
    )
    .orderBy(asc(documents.confirmedAt))
    .limit(limit);
}

/**
 * Records the look at a document's zone (`zoneRead` encrypted, or null when nothing was read),
 * once: answers false when another reader recorded it first.
 */
export async function recordDocumentZoneRead(input: {
  caseId: string;
  documentId: string;
  zoneRead: string | null;
  now: Date;
}): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(documents)
    .set({ zoneRead: input.zoneRead, zoneReadAt: input.now })
    .where(
      and(
        eq(documents.id, input.documentId),
        eq(documents.caseId, input.caseId),
        isNull(documents.zoneReadAt),
      ),
    )
    .returning({ id: documents.id });
  return rows.length > 0;
}
