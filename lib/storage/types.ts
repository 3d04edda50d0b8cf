/**
 * The one storage interface both drivers implement (local disk, S3-compatible). The rest of the
 * app only ever sees this: it asks for an upload target, then checks, reads, replaces or deletes
 * the object by its key, and hands staff a short-lived download URL. Keys come from
 * `documentKey()` (keys.ts) and every driver refuses any other shape.
 */

/** The longest an upload URL or POST policy may live. */
export const MAX_UPLOAD_TTL_SECONDS = 300;
/** The longest a staff download URL may live. */
export const MAX_DOWNLOAD_TTL_SECONDS = 60;

export type CreateUploadInput = {
  key: string;
  /** The exact type the browser must declare; part of the signed policy. */
  contentType: string;
  /** Upper bound of the file size in bytes (≥ 1, ≤ the configured UPLOAD_MAX_BYTES). */
  maxBytes: number;
  /** ≤ 300; defaults to UPLOAD_URL_TTL_SECONDS. */
  expiresInSeconds?: number;
};

/**
 * What the browser posts as multipart/form-data: every entry of `fields` in order, then the
 * file as the last part named `file`, whose type must be `contentType`. `url` is absolute for
 * S3 and a same-origin path for the local driver.
 */
export type UploadTarget = {
  method: "POST";
  url: string;
  fields: Record<string, string>;
  expiresAt: Date;
};

export type ObjectInfo = { size: number; contentType: string };

export type PresignGetOptions = {
  /** ≤ 60. */
  ttlSeconds: number;
  /** Offered as the download's file name (Content-Disposition: attachment). */
  filename?: string;
  /** Overrides the stored type in the response. */
  contentType?: string;
};

export type DeleteOptions = { formExpired?: boolean };

export interface DocumentStorage {
  readonly driver: "local" | "s3";
  createUpload(input: CreateUploadInput): Promise<UploadTarget>;
  /** null when there is no object under the key. */
  head(key: string): Promise<ObjectInfo | null>;
  /** The whole object; refuses (PAYLOAD_TOO_LARGE) one larger than `maxBytes` (default: UPLOAD_MAX_BYTES). */
  get(key: string, options?: { maxBytes?: number }): Promise<Buffer>;
  /** Creates or replaces the object (the confirm step swaps the original for a re-encoded copy). */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /**
   * Idempotent: deleting a missing object is not an error. `formExpired`: the caller has checked
   * that no upload form for the key can still be posted (the erasure, under the case's lock), so
   * nothing has to stay behind to refuse a replay of one (the local driver's spent marker goes).
   */
  delete(key: string, options?: DeleteOptions): Promise<void>;
  presignGet(key: string, options: PresignGetOptions): Promise<string>;
}
