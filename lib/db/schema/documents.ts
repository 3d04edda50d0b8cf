/**
 * documents — every file a trader uploads for a case, from the moment an upload URL is issued.
 *
 * Invariants:
 * - `storage_key` is built by the server (`cases/<caseId>/<documentId>`), never from a file
 *   name; unique.
 * - `pending`: an upload URL was issued and nothing is confirmed yet. A pending row whose URL
 *   expired is abandoned: housekeeping deletes the row and any object under its key.
 * - `accepted`: the server re-checked the stored object (size, type, magic bytes, full decode)
 *   and replaced it with a clean re-encoded copy; `sha256` and `quality` describe what is
 *   stored. The checks after submit add an image's `phash` and the analysis (scores, issues,
 *   look-alikes) to `quality` (lib/documents/analysis.ts); `phash` stays null for a PDF.
 * - `retake`: stored, but the trader must upload it again (`reason` says why: a quality
 *   problem, or a reviewer's request). A refused upload (hostile or unreadable file) is not a
 *   row at all: it is deleted with its object, and an audit event `document.refused` records it.
 * - A case holds at most UPLOAD_MAX_FILES_PER_CASE files: rows not `replaced_at`, and uploads
 *   that can still arrive, counting also its refusals of the last hour; checked and inserted
 *   under the case's row lock (insertPendingDocumentWithinLimit).
 * - `identity_kind` (identity documents only) is the kind of identity document picked when the
 *   upload started (the upload screens ask for that kind's sides), set by the server from the
 *   trader's draft; null: none was chosen yet, and the photo is of whichever kind has its side.
 *   Confirming a kind ("Save and continue") retires the other kinds' photos and gives it the
 *   unstamped ones it keeps. An ID card and a driving licence both have a front and a back: each
 *   kind keeps its own, so tapping between them loses neither's photos.
 * - `replaced_at` is set when a newer upload of the same document, side and identity kind
 *   supersedes this one (an upload of no kind supersedes the side's file of any kind, one of a
 *   kind the side's unstamped file too), or a change retired the document's files (a new kind of
 *   identity document), uploads still on their way included; old versions stay for the evidence
 *   trail and are never shown to the trader.
 * - `voided_at`: a pending upload the case stopped taking before its confirm (sent, taken back,
 *   decided); never confirmed into what the case asks later (see the column).
 * - A `selfie` frame (side `frame_<n>`) names its attempt (`challenge_id`, selfie_challenges)
 *   and the prompt it answers (`prompt`), both set by the server when the upload starts; null
 *   for every other document.
 * - `original_name` is the file name as the browser sent it, encrypted (it can hold personal
 *   data) and only for staff display.
 * - `zone_read_at` is set once the machine-readable zone of an identity image was looked at
 *   after its upload (MRZ_CHECK, for pre-filling the trader's steps); `zone_read` then holds what
 *   was read, encrypted under the case key, or stays null when nothing was read or the steps were
 *   already filled (lib/documents/zone-prefill.ts). Set at most once per row.
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { kycCases } from "./kyc-cases";
import { selfieChallenges } from "./selfie-challenges";

export const documentStatus = pgEnum("document_status", ["pending", "accepted", "retake"]);
export type DocumentStatus = (typeof documentStatus.enumValues)[number];

export const documents = pgTable(
  "documents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    caseId: uuid("case_id")
      .notNull()
      .references(() => kycCases.id, { onDelete: "cascade" }),
    /** identity | address | additional | selfie */
    documentType: text("document_type").notNull(),
    /** page | front | back | frame_1… (a selfie's frames) */
    side: text("side").notNull(),
    /** passport | id_card | driving_licence, or null (see the invariants above). */
    identityKind: text("identity_kind"),
    status: documentStatus("status").notNull().default("pending"),
    storageKey: text("storage_key").notNull().unique(),
    declaredType: text("declared_type").notNull(),
    contentType: text("content_type"),
    sizeBytes: integer("size_bytes"),
    sha256: text("sha256"),
    phash: text("phash"),
    quality: jsonb("quality"),
    reason: text("reason"),
    originalName: text("original_name"),
    zoneRead: text("zone_read"),
    zoneReadAt: timestamp("zone_read_at", { withTimezone: true }),
    challengeId: uuid("challenge_id").references(() => selfieChallenges.id, {
      onDelete: "set null",
    }),
    prompt: text("prompt"),
    uploadExpiresAt: timestamp("upload_expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    replacedAt: timestamp("replaced_at", { withTimezone: true }),
    /**
     * Retired while it was on its way (another kind of identity document chosen, a newer selfie
     * attempt) and confirmed after: kept as evidence, never the case's document. The confirm
     * answered `superseded`, and answers it again to a replay. Only ever set by a confirm, so
     * never on a `pending` row.
     */
    superseded: boolean("superseded").notNull().default(false),
    /**
     * Set on a `pending` row when the case left the states the trader changes it in (a submit,
     * a reviewer taking it back or deciding it, a declined upgrade) before its confirm: the file
     * was chosen for what the case asked then. Its confirm is refused (`earlier_round`: the
     * trader uploads the file again for what is asked now) and deletes the row; unconfirmed, the
     * abandoned-upload purge removes it.
     */
    voidedAt: timestamp("voided_at", { withTimezone: true }),
  },
  (t) => [
    index("documents_case_idx").on(t.caseId),
    index("documents_phash_idx").on(t.phash),
    // One current (not replaced) confirmed document per case, type, side and identity kind.
    uniqueIndex("documents_one_current")
      .on(t.caseId, t.documentType, t.side, sql`coalesce(${t.identityKind}, '')`)
      .where(sql`${t.replacedAt} is null and ${t.status} <> 'pending'`),
  ],
);

export type DocumentRow = typeof documents.$inferSelect;
