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
 * The selfie: one frame per liveness prompt, captured from the live camera while the prompt is
 * shown. The server picks the prompts' order per attempt (a challenge) and ties each frame to the
 * prompt it answers, so a recording made for another attempt does not fit.
 */
export const SELFIE_FRAMES = ["frame_1", "frame_2", "frame_3"] as const;
export const SELFIE_PROMPTS = ["look_left", "look_right", "blink"] as const;
export type SelfiePrompt = (typeof SELFIE_PROMPTS)[number];

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
  // The request itself.
  "bad_request",
  "not_found",
  // The case.
  "not_editable",
  "too_many_files",
  // The upload's life cycle.
  "not_uploaded",
  "expired",
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
  // The selfie: the attempt is unknown, expired or already used; or a frame repeats another.
  "challenge_invalid",
  "frame_repeated",
] as const;
export type UploadRefusal = (typeof UPLOAD_REFUSALS)[number];

/** POST /api/inapp/documents: the file the browser is about to upload. */
export const startUploadRequest = z
  .object({
    documentType: z.enum(DOCUMENT_TYPES),
    side: z.enum(DOCUMENT_SIDES),
    contentType: z.string().check(z.maxLength(100)),
    size: z.int().check(z.minimum(0)),
    fileName: z.optional(z.string().check(z.maxLength(255))),
    /** A selfie frame's attempt (POST /api/inapp/selfie/challenge); only for a selfie. */
    challengeId: z.optional(z.uuid()),
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
 * Any refusal's body. `reason` is one of UPLOAD_REFUSALS, or one of the trader API's own
 * (lib/inapp/api.ts: session_expired, cross_site): the screen shows a message for those it knows.
 */
export const refusalResponse = z.object({
  reason: z.string(),
  message: z.optional(z.string()),
});
