/**
 * The `s3` storage driver (AWS S3, MinIO, R2, anything speaking the S3 protocol). The browser
 * uploads straight to the bucket with a presigned POST, so no document byte passes through this
 * server; the POST policy pins the exact key, the exact Content-Type, the size range [1, max]
 * and an expiry ≤ 300 s. Policies are not trusted alone (emulators ignore them, and a policy
 * cannot sniff content): the confirm step re-checks every object with head() and get().
 * Credentials come from the AWS default chain (env, profile, instance role), never from our
 * config.
 */
import "server-only";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { AppError } from "@/lib/errors";
import {
  assertContentType,
  assertDocumentKey,
  assertTtl,
  assertUploadKey,
  attachmentDisposition,
} from "./keys";
import {
  MAX_DOWNLOAD_TTL_SECONDS,
  MAX_UPLOAD_TTL_SECONDS,
  type CreateUploadInput,
  type DocumentStorage,
  type ObjectInfo,
  type PresignGetOptions,
  type UploadTarget,
} from "./types";

export type S3StorageOptions = {
  bucket: string;
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** Required on every object written, the browser's POST included (S3_SERVER_SIDE_ENCRYPTION). */
  serverSideEncryption?: "AES256";
  uploadMaxBytes: number;
  uploadUrlTtlSeconds: number;
};

export class S3Storage implements DocumentStorage {
  readonly driver = "s3" as const;
  readonly client: S3Client;

  constructor(private readonly options: S3StorageOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      // No credentials here: the AWS default chain (env, profile, SSO, instance/task role).
      // Checksums only where S3 requires them: the newer defaults add CRC headers that some
      // S3-compatible stores (older MinIO, R2 at times) reject.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  async createUpload(input: CreateUploadInput): Promise<UploadTarget> {
    const key = assertUploadKey(input.key);
    const contentType = assertContentType(input.contentType);
    const maxBytes = input.maxBytes;
    if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > this.options.uploadMaxBytes) {
      throw new AppError("BAD_REQUEST", `maxBytes must be 1–${this.options.uploadMaxBytes}`);
    }
    const ttl = assertTtl(
      input.expiresInSeconds ?? this.options.uploadUrlTtlSeconds,
      MAX_UPLOAD_TTL_SECONDS,
      "upload URL lifetime",
    );
    const started = Date.now();
    const sse = this.options.serverSideEncryption;
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.options.bucket,
      Key: key,
      Conditions: [
        ["eq", "$key", key],
        ["eq", "$Content-Type", contentType],
        ["content-length-range", 1, maxBytes],
        // The store refuses a form without it: the original is encrypted at rest until the confirm.
        ...(sse ? [["eq", "$x-amz-server-side-encryption", sse] as ["eq", string, string]] : []),
      ],
      // Posted by the browser as form fields, so the `eq` conditions above hold.
      Fields: {
        "Content-Type": contentType,
        ...(sse ? { "x-amz-server-side-encryption": sse } : {}),
      },
      Expires: ttl,
    });
    return { method: "POST", url, fields, expiresAt: new Date(started + ttl * 1000) };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucket, Key: assertDocumentKey(key) }),
      );
      return {
        size: out.ContentLength ?? 0,
        contentType: out.ContentType ?? "application/octet-stream",
      };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async get(key: string, options?: { maxBytes?: number }): Promise<Buffer> {
    const limit = options?.maxBytes ?? this.options.uploadMaxBytes;
    let out;
    try {
      out = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: assertDocumentKey(key) }),
      );
    } catch (error) {
      if (isMissing(error)) throw new AppError("NOT_FOUND", "no such document");
      throw error;
    }
    const body = out.Body?.transformToWebStream();
    if (!body) throw new AppError("NOT_FOUND", "no such document");
    if ((out.ContentLength ?? 0) > limit) {
      await body.cancel();
      throw new AppError("PAYLOAD_TOO_LARGE", "document too large");
    }
    // Counted as well: the declared length is the store's word, not a guarantee.
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        throw new AppError("PAYLOAD_TOO_LARGE", "document too large");
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: assertDocumentKey(key),
        Body: bytes,
        ContentType: assertContentType(contentType),
        ContentLength: bytes.byteLength,
        ServerSideEncryption: this.options.serverSideEncryption,
      }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.options.bucket, Key: assertDocumentKey(key) }),
    );
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<string> {
    const ttl = assertTtl(options.ttlSeconds, MAX_DOWNLOAD_TTL_SECONDS, "download URL lifetime");
    const command = new GetObjectCommand({
      Bucket: this.options.bucket,
      Key: assertDocumentKey(key),
      // Always a download, never rendered inline from the bucket's origin.
      ResponseContentDisposition: attachmentDisposition(options.filename),
      ...(options.contentType
        ? { ResponseContentType: assertContentType(options.contentType) }
        : {}),
    });
    return getSignedUrl(this.client, command, { expiresIn: ttl });
  }
}

function isMissing(error: unknown): boolean {
  if (error instanceof NotFound || error instanceof NoSuchKey) return true;
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404;
}
