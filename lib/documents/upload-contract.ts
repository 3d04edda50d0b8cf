/**
 * The upload API's contract and the upload rules, in one place: what a document is (type, side),
 * what may be uploaded for it, the requests and responses of `/api/inapp/documents` and the closed
 * list of reasons an upload is refused. The route handlers, the service (service.ts), lib/kyc and
 * the upload screen all import it, so a field or a reason cannot drift between them.
 *
 * The upload screen is bundled for the browser: this module imports nothing but zod/mini (a few
 * KB; full zod would take half the screen's first-load JS budget) — no database, env or sharp.
 * HTTP statuses are not part of it: the routes map each refusal to one (refusals.ts beside them).
 */
import * as z from "zod/mini";

export const DOCUMENT_TYPES = ["identity", "address", "additional", "selfie"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export function isDocumentType(type: string): type is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(type);
}

export const DOCUMENT_SIDES = ["page", "front", "back", "frame_1", "frame_2", "frame_3"] as const;
export type DocumentSide = (typeof DOCUMENT_SIDES)[number];

/** The sides a document type may be uploaded as; anything else is a bad request. */
export const SIDES_BY_TYPE = {
  identity: ["page", "front", "back"],
  address: ["page"],
  additional: ["page"],
  selfie: ["frame_1", "frame_2", "frame_3"],
} as const satisfies Record<DocumentType, readonly DocumentSide[]>;

/** The sides a case needs: a passport is one page; an ID card or driving licence has two sides. */
export function sidesFor(documentType: DocumentType, identityKind: unknown): DocumentSide[] {
  if (documentType === "selfie") return [...SELFIE_FRAMES];
  if (documentType !== "identity") return ["page"];
  return identityKind === "id_card" || identityKind === "driving_licence"
    ? ["front", "back"]
    : ["page"];
}

/**
 * The documents that count once the identity document's kind is chosen: identity photos of sides
 * that kind does not have are left out. Choosing the kind retires those already confirmed
 * (lib/kyc/drafts.ts), but one still uploading then (a passport page sent for the pre-fill before
 * "ID card" was chosen) is confirmed after: it must not be submitted, nor read for the MRZ.
 * Before a kind is chosen, every document counts.
 */
export function ofIdentityKind<D extends { documentType: string; side: string }>(
  documents: readonly D[],
  identityKind: unknown,
): D[] {
  if (identityKind === undefined || identityKind === null || identityKind === "")
    return [...documents];
  const sides: readonly string[] = sidesFor("identity", identityKind);
  return documents.filter((d) => d.documentType !== "identity" || sides.includes(d.side));
}

/**
 * The selfie: one frame per liveness prompt, captured from the live camera while the prompt is
 * shown. The server picks the prompts' order per attempt (a challenge) and ties each frame to the
 * prompt it answers, so a recording made for another attempt does not fit.
 */
export const SELFIE_FRAMES = ["frame_1", "frame_2", "frame_3"] as const;
export const SELFIE_PROMPTS = ["look_left", "look_right", "blink"] as const;
export type SelfiePrompt = (typeof SELFIE_PROMPTS)[number];

/**
 * Each prompt's upload is a burst, not one picture: a blink or a turn of the head takes a few
 * hundred milliseconds, so a single frame rarely shows it. The screen takes SELFIE_BURST_FRAMES
 * camera frames SELFIE_BURST_INTERVAL_MS apart (about a second) and lays them side by side, left
 * to right in the order taken, in one JPEG. One file per prompt keeps the selfie at three
 * documents against the case's file limit, runs one check per prompt, and shows the reviewer the
 * whole movement at a glance.
 */
export const SELFIE_BURST_FRAMES = 4;
export const SELFIE_BURST_INTERVAL_MS = 300;
/** A burst frame's longest edge: four of them stay under the stored image's 4000 px. */
export const SELFIE_BURST_FRAME_MAX_EDGE = 960;
/** Four frames of at most 960 px at the screen's JPEG quality weigh well under this. */
export const SELFIE_BURST_MAX_BYTES = 3 * 1024 * 1024;

/**
 * The shape of a burst picture, checked by the screen before it uploads and by the server on the
 * stored image (a single photo, or frames of another size, is refused as `not_a_burst`): the
 * width splits into SELFIE_BURST_FRAMES equal frames, each a camera picture (between 1:2 and 2:1)
 * of at most SELFIE_BURST_FRAME_MAX_EDGE px. What the frames show is for the reviewer.
 */
export const selfieBurstImage = z
  .object({ width: z.int().check(z.positive()), height: z.int().check(z.positive()) })
  .check(
    z.refine(
      ({ width, height }) => {
        const frameWidth = width / SELFIE_BURST_FRAMES;
        return (
          Number.isInteger(frameWidth) &&
          Math.max(frameWidth, height) <= SELFIE_BURST_FRAME_MAX_EDGE &&
          frameWidth * 2 >= height &&
          height * 2 >= frameWidth
        );
      },
      { message: "not a burst of camera frames side by side" },
    ),
  );
export type SelfieBurstImage = z.infer<typeof selfieBurstImage>;

/** What `selfieComplete` reads of a selfie frame's row (a documents row, or the checks' snapshot). */
type SelfieFrameRow = {
  side: string;
  status: string;
  challengeId?: string | null;
  prompt?: string | null;
};

/**
 * Whether the selfie is done: one rule for the trader's screens and the submit
 * (lib/kyc/requirements.ts) and the selfie check (lib/checks/checks.ts), so the screen never calls
 * complete what the check fails, nor the reverse. Only confirmed frames decide: a frame whose
 * upload was only started (its form issued, the app perhaps closed) is no answer to its prompt,
 * and a new attempt begun that way must not undo an earlier attempt that is complete. The first
 * frame confirmed for a new attempt retires the earlier attempt's (confirmDocument), so the
 * current confirmed frames are one attempt's; frames of two attempts never add up.
 */
export function selfieComplete(frames: readonly SelfieFrameRow[]): boolean {
  const confirmed = frames.filter((f) => f.status !== "pending");
  const attempts = new Set(confirmed.map((f) => f.challengeId ?? null));
  return (
    attempts.size === 1 &&
    !attempts.has(null) &&
    SELFIE_FRAMES.every((side) =>
      confirmed.some((f) => f.side === side && f.status === "accepted" && f.prompt !== null),
    )
  );
}

/** POST /api/inapp/selfie/challenge, 201: the prompts of a new attempt, in the order to show. */
export const selfieChallengeResponse = z.object({
  challengeId: z.uuid(),
  prompts: z.array(z.enum(SELFIE_PROMPTS)),
  expiresAt: z.string(),
  expiresInSeconds: z.int().check(z.nonnegative()),
});
export type SelfieChallengeResponse = z.infer<typeof selfieChallengeResponse>;

/** Content types an upload may declare; the server checks the bytes against it (inspect.ts). */
export const UPLOAD_CONTENT_TYPES = [
  "image/jpeg",
  "image/png",
  "image/webp",
  "image/heic",
  "image/heif",
  "application/pdf",
] as const;
export type UploadContentType = (typeof UPLOAD_CONTENT_TYPES)[number];

export function isUploadContentType(type: string): type is UploadContentType {
  return (UPLOAD_CONTENT_TYPES as readonly string[]).includes(type);
}

/** Where each side of a document stands, as the upload and status screens show it. */
export const DOCUMENT_STATES = ["missing", "uploading", "accepted", "retake"] as const;
export type DocumentState = (typeof DOCUMENT_STATES)[number];

/**
 * Every reason the upload API refuses a request, start or confirm. The upload screen shows a
 * localized message per reason (messages: Upload.refused; a reason without its own words gets
 * the catalog's `other`).
 */
export const UPLOAD_REFUSALS = [
  // The request itself. `request_too_large`: the JSON body is over the API's limit, which no
  // request of the screens reaches; it is not the file, whose size is `too_large`.
  "bad_request",
  "request_too_large",
  "not_found",
  // The case.
  "not_editable",
  "too_many_files",
  // Erased by the retention purge while the request waited for the case: the trader starts again.
  "case_erased",
  // The upload's life cycle. `superseded`: the file arrived, but what it was for changed on its
  // way (another kind of identity document chosen, a new selfie attempt started elsewhere); it
  // is kept as evidence and is not the case's document.
  "not_uploaded",
  "expired",
  "superseded",
  // Started before the case was sent, taken back into review or decided, confirmed after: not
  // part of what the case asks now, whatever that is; the trader uploads the file again.
  "earlier_round",
  // The file (the declared type and size at start; the bytes at confirm: inspect.ts).
  "empty",
  "too_large",
  "unsupported_type",
  "type_mismatch",
  "corrupt",
  "too_many_pixels",
  "pdf_encrypted",
  "pdf_active_content",
  "pdf_too_many_pages",
  // The selfie: the attempt is unknown, expired or already used; a prompt's picture repeats
  // another's, or is not a burst of frames (selfieBurstImage).
  "challenge_invalid",
  "frame_repeated",
  "not_a_burst",
] as const;
export type UploadRefusal = (typeof UPLOAD_REFUSALS)[number];

/**
 * The trader API's own refusals (lib/inapp/api.ts), answered before a route looks at the upload:
 * the session ended (401), the window belongs to an earlier sign-in in this browser (409), a
 * phone session asking for another document type, a request from another site or of another
 * media type (403, 415). The screens word each of these too; a refusal body's `message` is for
 * logs and integrators, never shown.
 */
export const SESSION_REFUSALS = [
  "session_expired",
  "other_sign_in",
  "out_of_scope",
  "cross_site",
  "unsupported_media_type",
] as const;
export type SessionRefusal = (typeof SESSION_REFUSALS)[number];

/**
 * The session refusals that tell the trader what to do next (start again from the trading app,
 * reload the window), in every screen's words: keys in the `Errors` messages. Each screen hands
 * them to its client component (lib/inapp/refusal-words.ts).
 */
export const SESSION_REFUSAL_WORDS = {
  session_expired: "sessionExpired",
  other_sign_in: "otherSignIn",
} as const satisfies Partial<Record<SessionRefusal, string>>;
export type SessionRefusalWords =
  (typeof SESSION_REFUSAL_WORDS)[keyof typeof SESSION_REFUSAL_WORDS];

/** The session's words for a refusal's reason; undefined for a reason that is not one of them. */
export function sessionRefusalWords(reason: string | undefined): SessionRefusalWords | undefined {
  return reason !== undefined && Object.hasOwn(SESSION_REFUSAL_WORDS, reason)
    ? SESSION_REFUSAL_WORDS[reason as keyof typeof SESSION_REFUSAL_WORDS]
    : undefined;
}

/**
 * What the selfie screen says when a frame is refused: the key in the `Selfie` messages for each
 * refusal the selfie has of its own, the session's words (SESSION_REFUSAL_WORDS) for a session
 * that ended or a window of an earlier sign-in; any other refusal reads as `failed`.
 */
export const SELFIE_REFUSAL_WORDS = {
  frame_repeated: "repeated",
  challenge_invalid: "expired",
  superseded: "superseded",
  not_a_burst: "notBurst",
} as const satisfies Partial<Record<UploadRefusal, string>>;

type SelfieRefusalWords = (typeof SELFIE_REFUSAL_WORDS)[keyof typeof SELFIE_REFUSAL_WORDS];

export function selfieRefusalWords(
  reason: string | undefined,
): SelfieRefusalWords | SessionRefusalWords | "failed" {
  const words: Record<string, SelfieRefusalWords | SessionRefusalWords> = {
    ...SELFIE_REFUSAL_WORDS,
    ...SESSION_REFUSAL_WORDS,
  };
  return (
    (reason !== undefined && Object.hasOwn(words, reason) ? words[reason] : undefined) ?? "failed"
  );
}

/** The longest file name kept with an upload (most file systems' limit). */
export const MAX_FILE_NAME = 255;

/**
 * The browser's file name as it is kept: cut to MAX_FILE_NAME characters with its extension
 * kept, never inside a character that takes two UTF-16 units. A name is only a hint for the
 * reviewer (objects are keyed by the server, downloads named by it), so a long one is no reason
 * to refuse the trader's file; the JSON body limit bounds what arrives.
 */
export function keptFileName(name: string): string {
  if (name.length <= MAX_FILE_NAME) return name;
  const chars = Array.from(name);
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && name.length - dot <= 16 ? Array.from(name.slice(dot)) : [];
  const stem = chars.slice(0, chars.length - extension.length);
  let room = MAX_FILE_NAME - extension.join("").length;
  const kept: string[] = [];
  for (const c of stem) {
    if (c.length > room) break;
    kept.push(c);
    room -= c.length;
  }
  return kept.join("") + extension.join("");
}

/** POST /api/inapp/documents: the file the browser is about to upload. */
/** The kind of identity document an upload screen shows the sides of; null for none or not identity. */
const IDENTITY_KIND_SHOWN = z.nullable(z.string().check(z.maxLength(40)));

export const startUploadRequest = z
  .object({
    documentType: z.enum(DOCUMENT_TYPES),
    side: z.enum(DOCUMENT_SIDES),
    contentType: z.string().check(z.maxLength(100)),
    size: z.int().check(z.minimum(0)),
    fileName: z.optional(z.pipe(z.string(), z.transform(keptFileName))),
    /** A selfie frame's attempt (POST /api/inapp/selfie/challenge); only for a selfie. */
    challengeId: z.optional(z.uuid()),
    /**
     * An identity photo: the kind of identity document whose sides the screen showed (the sides
     * answer's `identityKind`). Another kind picked since is refused as `superseded`, and the
     * screen shows the new kind's sides. Absent (an older screen): the kind picked now.
     */
    identityKind: z.optional(IDENTITY_KIND_SHOWN),
  })
  .check(
    z.refine((r) => (SIDES_BY_TYPE[r.documentType] as readonly string[]).includes(r.side), {
      path: ["side"],
      message: "not a side of this document type",
    }),
    z.refine((r) => (r.documentType === "selfie") === (r.challengeId !== undefined), {
      path: ["challengeId"],
      message: "a selfie frame names its challenge; other documents do not",
    }),
    z.refine((r) => r.documentType === "identity" || r.identityKind === undefined, {
      path: ["identityKind"],
      message: "only an identity photo names a kind of identity document",
    }),
    z.refine((r) => r.documentType !== "selfie" || r.size <= SELFIE_BURST_MAX_BYTES, {
      path: ["size"],
      message: "a selfie burst is larger than a burst of camera frames can be",
    }),
  );
export type StartUploadRequest = z.infer<typeof startUploadRequest>;

/** 201: where and how the browser posts the file (a presigned S3 POST or our local route). */
export const startUploadResponse = z.object({
  documentId: z.uuid(),
  upload: z.object({
    method: z.literal("POST"),
    url: z.string(),
    fields: z.record(z.string(), z.string()),
  }),
  expiresAt: z.string(),
});
export type StartUploadResponse = z.infer<typeof startUploadResponse>;

/** POST /api/inapp/documents/:id/confirm, 200: the server checked and stored the file. */
export const confirmUploadResponse = z.object({
  documentId: z.uuid(),
  state: z.enum(["accepted", "retake"]),
});
export type ConfirmUploadResponse = z.infer<typeof confirmUploadResponse>;

/** GET /api/inapp/documents?documentType=…: the query. */
export const documentSidesQuery = z.object({ documentType: z.enum(DOCUMENT_TYPES) });

/** …and the answer: the state of each side, for the upload screen to follow. */
export const documentSidesResponse = z.object({
  documentType: z.enum(DOCUMENT_TYPES),
  /** Identity: the kind of identity document the sides are of (null: none chosen yet). */
  identityKind: IDENTITY_KIND_SHOWN,
  sides: z.array(
    z.object({
      side: z.enum(DOCUMENT_SIDES),
      state: z.enum(DOCUMENT_STATES),
      reason: z.nullable(z.string()),
    }),
  ),
});
export type DocumentSidesResponse = z.infer<typeof documentSidesResponse>;
export type SideStatus = DocumentSidesResponse["sides"][number];

/**
 * Any refusal's body. `reason` is one of UPLOAD_REFUSALS or SESSION_REFUSALS; a screen shows its
 * own words for the reason (a generic message for one it does not know), never `message`.
 */
export const refusalResponse = z.object({
  reason: z.string(),
  message: z.optional(z.string()),
});
