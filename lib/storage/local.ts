/**
 * The `local` storage driver: documents as files under DATA_DIR/documents, for the embedded
 * single-server setup. The browser uploads to our own route with a signed, expiring form (the
 * local twin of an S3 POST policy): the HMAC covers key, exact content type, size limit and
 * expiry, so a client can change none of them, and the route enforces each one itself while it
 * streams. Objects are never served publicly; staff download through a URL signed for ≤ 60 s.
 *
 * Disk layout: `<root>/cases/<caseId>/<documentId>` holds the bytes, `….meta` its content type,
 * `<root>/.tmp/` half-written uploads. An upload is written to a temp file and then hard-linked
 * into place: link() fails if the name exists, which makes "first upload wins, a replay gets
 * 409" atomic without a lock. Replacing (put) uses rename().
 *
 * A deleted upload key is spent: deleting it leaves an empty marker in `<root>/.spent/`
 * (`<caseId>.<documentId>`), and the upload route refuses the form from then on. Only the confirm
 * (accepted or refused), the purge of an expired form and the case's erasure delete an upload
 * key, so a replay of the form after its confirm decided never puts a file in clear back (S3 has
 * no such guard: there the purge empties the key once the form expired). A marker is kept until
 * no form for its key can still be posted, then pruned; the case's erasure, which runs only once
 * every form of the case has long expired, removes its documents' markers with their files.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { Busboy, type BusboyFileStream } from "@fastify/busboy";
import { env, type Env } from "@/lib/env";
import { AppError, errorFacts } from "@/lib/errors";
import { limitedBody } from "@/lib/http/body";
import { toErrorResponse } from "@/lib/http/json";
import { deriveKey, hmac, safeEqual } from "@/lib/identity/secrets";
import { log } from "@/lib/log";
import {
  assertContentType,
  assertDocumentKey,
  assertUploadKey,
  assertTtl,
  attachmentDisposition,
  isDocumentKey,
  isUploadKey,
} from "./keys";
import {
  MAX_DOWNLOAD_TTL_SECONDS,
  MAX_UPLOAD_TTL_SECONDS,
  type CreateUploadInput,
  type DeleteOptions,
  type DocumentStorage,
  type ObjectInfo,
  type PresignGetOptions,
  type UploadTarget,
} from "./types";

export const LOCAL_UPLOAD_PATH = "/api/uploads/local";
/** Room for the form fields and part headers around the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
const MAX_FIELD_BYTES = 512;
/** One part's header block; a browser sends two short lines. */
const MAX_PART_HEADER_BYTES = 8 * 1024;
const UPLOAD_FIELDS = ["key", "contentType", "maxBytes", "expires", "signature"] as const;

/**
 * An upload that started before its URL expired may finish this much later; far less than the
 * purge of abandoned uploads waits (lib/documents/service.ts ABANDONED_UPLOAD_GRACE_MS).
 */
const FINISH_GRACE_MS = 60_000;
/**
 * How long a spent upload key's marker is kept: past the longest a form for it can still be
 * posted (issued before the delete, it expires within MAX_UPLOAD_TTL_SECONDS and may finish
 * FINISH_GRACE_MS later), with a margin.
 */
const SPENT_FOR_MS = MAX_UPLOAD_TTL_SECONDS * 1000 + FINISH_GRACE_MS + 5 * 60_000;
const SPENT_PRUNE_EVERY_MS = 60_000;
type UploadField = (typeof UPLOAD_FIELDS)[number];
type UploadFields = Record<UploadField, string>;

export type LocalStorageOptions = {
  /** Directory holding the documents (DATA_DIR/documents in the app; a temp dir in tests). */
  root: string;
  appSecret: string;
  /** Ceiling for any upload (UPLOAD_MAX_BYTES); a request body beyond it is refused unread. */
  uploadMaxBytes: number;
  /** Default lifetime of an upload form (UPLOAD_URL_TTL_SECONDS). */
  uploadUrlTtlSeconds: number;
  /** Tests move the clock. */
  now?: () => number;
};

export class LocalStorage implements DocumentStorage {
  readonly driver = "local" as const;
  private readonly root: string;
  private readonly uploadKey: Buffer;
  private readonly downloadKey: Buffer;
  private readonly now: () => number;
  private prunedAt = 0;

  constructor(private readonly options: LocalStorageOptions) {
    this.root = path.resolve(options.root);
    // Two purposes, two keys: a download signature can never pass as an upload signature.
    this.uploadKey = deriveKey(options.appSecret, "storage-local-upload");
    this.downloadKey = deriveKey(options.appSecret, "storage-local-download");
    this.now = options.now ?? Date.now;
  }

  async createUpload(input: CreateUploadInput): Promise<UploadTarget> {
    const key = assertUploadKey(input.key);
    const contentType = assertContentType(input.contentType);
    const maxBytes = checkMaxBytes(input.maxBytes, this.options.uploadMaxBytes);
    const ttl = assertTtl(
      input.expiresInSeconds ?? this.options.uploadUrlTtlSeconds,
      MAX_UPLOAD_TTL_SECONDS,
      "upload URL lifetime",
    );
    const expires = Math.floor(this.now() / 1000) + ttl;
    const fields = { key, contentType, maxBytes: String(maxBytes), expires: String(expires) };
    return {
      method: "POST",
      url: LOCAL_UPLOAD_PATH,
      fields: { ...fields, signature: this.signUpload(fields) },
      expiresAt: new Date(expires * 1000),
    };
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const file = this.pathOf(key);
    const stats = await stat(file).catch(ifMissing(null));
    if (!stats) return null;
    return { size: stats.size, contentType: await this.readContentType(file) };
  }

  async get(key: string, options?: { maxBytes?: number }): Promise<Buffer> {
    const file = this.pathOf(key);
    const stats = await stat(file).catch(ifMissing(null));
    if (!stats) throw new AppError("NOT_FOUND", "no such document");
    if (stats.size > (options?.maxBytes ?? this.options.uploadMaxBytes)) {
      throw new AppError("PAYLOAD_TOO_LARGE", "document too large");
    }
    return readFile(file);
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const file = this.pathOf(key);
    assertContentType(contentType);
    await mkdir(path.dirname(file), { recursive: true });
    const tmpData = await this.writeTemp(bytes);
    const tmpMeta = await this.writeTemp(Buffer.from(JSON.stringify({ contentType })));
    try {
      await rename(tmpMeta, metaPathOf(file));
      await rename(tmpData, file);
    } finally {
      await rm(tmpData, { force: true });
      await rm(tmpMeta, { force: true });
    }
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const file = this.pathOf(key);
    // Marked before the file goes: an upload that passed the route's first look links its file
    // either before this rm (which removes it) or after the mark (which it looks for again).
    // A marker that cannot be written (a full disk, a file in its place) leaves a replayed form
    // accepted, as on S3 (the purge empties its key later); the file goes either way.
    if (isUploadKey(key) && !options.formExpired)
      await this.markSpent(key).catch((error: unknown) =>
        log.warn("storage.spent_mark_failed", { ...errorFacts(error) }),
      );
    await rm(file, { force: true });
    await rm(metaPathOf(file), { force: true });
    // No form for the key can be posted any more: its marker would only go on naming the case
    // and the document (of an erased case, too) until a later delete's prune.
    if (isUploadKey(key) && options.formExpired) await rm(this.spentPathOf(key), { force: true });
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<string> {
    assertDocumentKey(key);
    const ttl = assertTtl(options.ttlSeconds, MAX_DOWNLOAD_TTL_SECONDS, "download URL lifetime");
    if (options.contentType !== undefined) assertContentType(options.contentType);
    const params = {
      expires: String(Math.floor(this.now() / 1000) + ttl),
      filename: options.filename ?? "",
      contentType: options.contentType ?? "",
    };
    const query = new URLSearchParams();
    query.set("expires", params.expires);
    if (params.filename) query.set("filename", params.filename);
    if (params.contentType) query.set("contentType", params.contentType);
    query.set("signature", this.signDownload(key, params));
    return `${LOCAL_UPLOAD_PATH}/${key}?${query.toString()}`;
  }

  /**
   * POST /api/uploads/local. Checks, in order: a multipart body within the size ceiling (by
   * Content-Length before reading, then by counting), the signed fields (signature, then
   * expiry), that the key is still free (and was never confirmed), the file part's exact type,
   * its size while it streams to a temp file, and that nothing follows the file. 204 when stored;
   * nothing is left behind on any refusal.
   */
  async handleUpload(request: Request): Promise<Response> {
    let tmp: string | undefined;
    try {
      const contentType = request.headers.get("content-type") ?? "";
      if (!/^multipart\/form-data\s*;/i.test(contentType)) {
        throw new AppError("UNSUPPORTED_MEDIA_TYPE", "expected multipart/form-data");
      }
      const body = limitedBody(request, this.options.uploadMaxBytes + FORM_OVERHEAD_BYTES);
      if (!body) throw new AppError("BAD_REQUEST", "empty request body");

      let stored:
        | { key: string; file: string; contentType: string; size: number; expires: number }
        | undefined;
      await readUploadForm(body, contentType, this.options.uploadMaxBytes, async (fields, part) => {
        const signed = this.verifyUpload(fields);
        const file = this.pathOf(signed.key);
        // A confirm decided on this upload (its key was emptied, and marked spent), or moved it
        // to its verified key (files from before the mark): the form is spent.
        if (
          (await exists(file)) ||
          (await exists(this.spentPathOf(signed.key))) ||
          (await hasVerifiedCopy(file))
        )
          throw new AppError("CONFLICT", "this upload was already used");
        if (part.contentType !== signed.contentType) {
          throw new AppError("UNSUPPORTED_MEDIA_TYPE", "file type differs from the signed type");
        }
        tmp = await this.tempPath();
        const size = await writeCapped(part.stream, tmp, signed.maxBytes);
        if (size === 0) throw new AppError("BAD_REQUEST", "empty file");
        const expires = Number(fields.expires);
        stored = { key: signed.key, file, contentType: signed.contentType, size, expires };
      });
      if (!stored || !tmp) throw new AppError("BAD_REQUEST", "missing file part");
      // Checked again once the file is in: an upload that streamed for long past its URL's
      // expiry may find its row purged as abandoned, and would be a file nothing names.
      if (!(stored.expires * 1000 + FINISH_GRACE_MS > this.now()))
        throw new AppError("FORBIDDEN", "upload URL expired while the file arrived");

      await mkdir(path.dirname(stored.file), { recursive: true });
      try {
        await link(tmp, stored.file);
      } catch (error) {
        if (isErrno(error, "EEXIST")) {
          throw new AppError("CONFLICT", "this upload was already used");
        }
        throw error;
      }
      try {
        const meta = JSON.stringify({ contentType: stored.contentType });
        await writeFile(metaPathOf(stored.file), meta, { mode: 0o600 });
        // A confirm that decided while this file streamed has emptied the key: it stays empty.
        if (await exists(this.spentPathOf(stored.key)))
          throw new AppError("CONFLICT", "this upload was already used");
      } catch (error) {
        // No object without its type, nor at a spent key.
        await rm(stored.file, { force: true });
        await rm(metaPathOf(stored.file), { force: true });
        throw error;
      }
      log.info("storage.local.uploaded", { key: stored.key, size: stored.size });
      return new Response(null, { status: 204 });
    } catch (error) {
      return toErrorResponse(error, LOCAL_UPLOAD_PATH);
    } finally {
      if (tmp) await rm(tmp, { force: true });
    }
  }

  /** GET /api/uploads/local/<key>?expires&signature[&filename&contentType]. */
  async handleDownload(request: Request): Promise<Response> {
    try {
      const url = new URL(request.url);
      const prefix = `${LOCAL_UPLOAD_PATH}/`;
      // The raw (still percent-encoded) path: a key must match the plain shape as sent, so
      // `%2e%2e` or `%2f` can never be decoded into something else later.
      const key = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : "";
      if (!isDocumentKey(key)) throw new AppError("NOT_FOUND", "no such document");
      const params = {
        expires: url.searchParams.get("expires") ?? "",
        filename: url.searchParams.get("filename") ?? "",
        contentType: url.searchParams.get("contentType") ?? "",
      };
      const signature = url.searchParams.get("signature") ?? "";
      if (!safeEqual(signature, this.signDownload(key, params))) {
        throw new AppError("FORBIDDEN", "invalid download signature");
      }
      if (!(Number(params.expires) * 1000 > this.now())) {
        throw new AppError("FORBIDDEN", "download URL expired");
      }
      const file = this.pathOf(key);
      const stats = await stat(file).catch(ifMissing(null));
      if (!stats) throw new AppError("NOT_FOUND", "no such document");
      const contentType = params.contentType || (await this.readContentType(file));
      const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
      return new Response(body, {
        status: 200,
        headers: {
          "Content-Type": contentType,
          "Content-Length": String(stats.size),
          "Content-Disposition": attachmentDisposition(params.filename || undefined),
          "X-Content-Type-Options": "nosniff",
          "Cache-Control": "private, no-store",
          // The proxy (and its CSP) skips this route; should a browser render it anyway, it
          // runs nothing.
          "Content-Security-Policy": "default-src 'none'; sandbox",
        },
      });
    } catch (error) {
      return toErrorResponse(error, `${LOCAL_UPLOAD_PATH}/[...key]`);
    }
  }

  /**
   * The file for a key. The key shape already rules out traversal; the containment check below
   * is the second lock on the same door, in case the shape is ever loosened.
   */
  private pathOf(key: string): string {
    const file = path.resolve(this.root, ...assertDocumentKey(key).split("/"));
    const relative = path.relative(this.root, file);
    if (!relative || relative.startsWith("..") || path.isAbsolute(relative)) {
      throw new AppError("BAD_REQUEST", "invalid storage key");
    }
    return file;
  }

  private spentPathOf(uploadKey: string): string {
    const [, caseId, documentId] = assertUploadKey(uploadKey).split("/");
    return path.join(this.root, ".spent", `${caseId}.${documentId}`);
  }

  private async markSpent(uploadKey: string): Promise<void> {
    const dir = path.join(this.root, ".spent");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const marker = this.spentPathOf(uploadKey);
    await writeFile(marker, "", { mode: 0o600 });
    // Dated by the driver's clock, which the prune and the forms' expiry read.
    const at = new Date(this.now());
    await utimes(marker, at, at);
    // Now and then, not on every delete: a readdir of the last minutes' markers.
    if (this.now() - this.prunedAt < SPENT_PRUNE_EVERY_MS) return;
    this.prunedAt = this.now();
    const before = this.now() - SPENT_FOR_MS;
    try {
      for (const name of await readdir(dir)) {
        const marker = path.join(dir, name);
        const stats = await stat(marker).catch(ifMissing(null));
        if (stats && stats.mtimeMs < before) await rm(marker, { force: true });
      }
    } catch (error) {
      log.warn("storage.local.spent_prune_failed", errorFacts(error));
    }
  }

  private async tempPath(): Promise<string> {
    const dir = path.join(this.root, ".tmp");
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return path.join(dir, randomBytes(16).toString("hex"));
  }

  private async writeTemp(bytes: Uint8Array): Promise<string> {
    const tmp = await this.tempPath();
    await writeFile(tmp, bytes, { flag: "wx", mode: 0o600 });
    return tmp;
  }

  private async readContentType(file: string): Promise<string> {
    const raw = await readFile(metaPathOf(file), "utf8").catch(ifMissing(null));
    if (raw === null) return "application/octet-stream";
    const parsed = JSON.parse(raw) as { contentType?: unknown };
    return typeof parsed.contentType === "string" ? parsed.contentType : "application/octet-stream";
  }

  private signUpload(fields: Record<Exclude<UploadField, "signature">, string>): string {
    // JSON of a fixed-order array: unambiguous, whatever the values contain.
    return hmac(
      this.uploadKey,
      JSON.stringify([fields.key, fields.contentType, fields.maxBytes, fields.expires]),
    );
  }

  private signDownload(
    key: string,
    params: { expires: string; filename: string; contentType: string },
  ): string {
    return hmac(
      this.downloadKey,
      JSON.stringify([key, params.expires, params.filename, params.contentType]),
    );
  }

  private verifyUpload(fields: Record<UploadField, string>) {
    const expected = this.signUpload(fields);
    if (!safeEqual(fields.signature, expected)) {
      throw new AppError("FORBIDDEN", "invalid upload signature");
    }
    if (!(Number(fields.expires) * 1000 > this.now())) {
      throw new AppError("FORBIDDEN", "upload URL expired");
    }
    // Signed by us, so these hold; re-checked because they are about to touch the disk.
    return {
      key: assertUploadKey(fields.key),
      contentType: assertContentType(fields.contentType),
      maxBytes: checkMaxBytes(Number(fields.maxBytes), this.options.uploadMaxBytes),
    };
  }
}

const badForm = (message: string) => new AppError("BAD_REQUEST", message);

function isUploadField(name: string): name is UploadField {
  return (UPLOAD_FIELDS as readonly string[]).includes(name);
}

/**
 * Reads the upload form as it streams: the signed fields, each once and nothing else, then one
 * part named `file` as the last part, handed to `onFile` with the fields. Busboy does the
 * parsing within fixed limits; its file-size limit is the configured ceiling because it is fixed
 * before the signed fields are read, so `onFile` enforces the signed size itself. Resolves once
 * the whole body was read and `onFile` is done; on any refusal the body is read no further, and
 * the promise settles only after `onFile` has let go of its temp file.
 */
function readUploadForm(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  maxFileBytes: number,
  onFile: (
    fields: UploadFields,
    part: { stream: BusboyFileStream; contentType: string },
  ) => Promise<void>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let form: ReturnType<typeof Busboy>;
    try {
      form = Busboy({
        headers: { "content-type": contentType },
        limits: {
          fields: UPLOAD_FIELDS.length,
          fieldSize: MAX_FIELD_BYTES,
          files: 1,
          fileSize: maxFileBytes,
          parts: UPLOAD_FIELDS.length + 1,
          headerPairs: 8,
          headerSize: MAX_PART_HEADER_BYTES,
        },
        // By name, not by the browser's choice of headers: `file` is the file, and a field sent
        // with a filename is a file part too (and refused below).
        isPartAFile: (name, _type, filename) => name === "file" || filename !== undefined,
      });
    } catch {
      // No boundary, or a type busboy does not parse: refused unread.
      void body.cancel().catch(() => undefined);
      reject(new AppError("UNSUPPORTED_MEDIA_TYPE", "expected multipart/form-data"));
      return;
    }
    const source = Readable.fromWeb(body as NodeReadableStream<Uint8Array>);
    const fields: Partial<UploadFields> = {};
    let fileStream: BusboyFileStream | undefined;
    let received: Promise<void> | undefined;
    let failed = false;

    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.destroy(); // cancels the request body: nothing more is read
      fileStream?.destroy();
      void (received ?? Promise.resolve()).catch(() => undefined).then(() => reject(error));
    };
    // Busboy's own errors mean a body it could not parse (cut short, broken delimiters).
    const malformed = (error: unknown) => {
      const detail = (error as { message?: unknown } | null)?.message;
      fail(badForm(`malformed multipart body${typeof detail === "string" ? `: ${detail}` : ""}`));
    };

    form.on("field", (name, value, _nameTruncated, valueTruncated) => {
      if (received) return fail(badForm("the file must be the last part"));
      if (!isUploadField(name)) return fail(badForm("unexpected form field"));
      if (fields[name] !== undefined) return fail(badForm("repeated form field"));
      if (valueTruncated) return fail(badForm("form field too long"));
      fields[name] = value;
    });
    form.on("file", (name, stream, _filename, _encoding, mimeType) => {
      fileStream = stream;
      // A parse error reaches us as the form's "error" (emitted first) and through `onFile`; this
      // listener only keeps an error on a part nobody reads any more from crashing the process.
      stream.on("error", () => undefined);
      stream.on("limit", () => fail(new AppError("PAYLOAD_TOO_LARGE", "file too large")));
      if (name !== "file") return fail(badForm("unexpected form field"));
      const missing = UPLOAD_FIELDS.find((field) => fields[field] === undefined);
      if (missing) return fail(badForm(`missing field ${missing} (fields precede the file)`));
      received = onFile(fields as UploadFields, { stream, contentType: mimeType });
      received.catch(fail);
    });
    for (const limit of ["fieldsLimit", "filesLimit", "partsLimit"] as const) {
      form.on(limit, () => fail(badForm("too many form parts")));
    }
    form.on("error", malformed);
    form.on("finish", () => {
      if (!received) return fail(badForm("missing file part"));
      received.then(() => {
        if (!failed) resolve();
      }, fail);
    });
    // The size ceiling (PAYLOAD_TOO_LARGE) or the client going away.
    source.on("error", fail);
    source.pipe(form);
  });
}

/** Streams a file part to a new temp file; PAYLOAD_TOO_LARGE as soon as it passes `maxBytes`. */
async function writeCapped(stream: Readable, tmp: string, maxBytes: number): Promise<number> {
  const handle = await open(tmp, "wx", 0o600);
  try {
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", "file too large");
      await handle.write(chunk);
    }
    await handle.sync();
    return size;
  } finally {
    await handle.close();
  }
}

function checkMaxBytes(value: number, ceiling: number): number {
  if (!Number.isInteger(value) || value < 1 || value > ceiling) {
    throw new AppError("BAD_REQUEST", `maxBytes must be 1–${ceiling}`);
  }
  return value;
}

function metaPathOf(file: string): string {
  return `${file}.meta`;
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(ifMissing(null))) !== null;
}

function isErrno(error: unknown, code: string): boolean {
  // Not `instanceof Error`: errors from node:fs may come from another realm (e.g. under jest).
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

function ifMissing<T>(fallback: T) {
  return (error: unknown): T => {
    if (isErrno(error, "ENOENT")) return fallback;
    throw error;
  };
}

/** A local driver for a configuration (root: DATA_DIR/documents). */
export function localStorageFor(config: Env): LocalStorage {
  return new LocalStorage({
    root: path.join(config.dataDir, "documents"),
    appSecret: config.appSecret,
    uploadMaxBytes: config.storage.uploadMaxBytes,
    uploadUrlTtlSeconds: config.storage.uploadUrlTtlSeconds,
  });
}

let cached: { config: Env; storage: LocalStorage } | undefined;

/** The app's local driver (rebuilt when tests make lib/env.ts re-read the configuration). */
export function localStorageFromEnv(): LocalStorage {
  const config = env();
  if (cached?.config !== config) cached = { config, storage: localStorageFor(config) };
  return cached.storage;
}

/** For the thin route: POST /api/uploads/local. */
export function handleLocalUpload(
  request: Request,
  storage: LocalStorage = localStorageFromEnv(),
): Promise<Response> {
  return storage.handleUpload(request);
}

/** For the thin route: GET /api/uploads/local/<key>. */
export function handleLocalDownload(
  request: Request,
  storage: LocalStorage = localStorageFromEnv(),
): Promise<Response> {
  return storage.handleDownload(request);
}

/** Whether a confirm stored a checked copy of this upload (`<documentId>.verified…` beside it). */
async function hasVerifiedCopy(uploadFile: string): Promise<boolean> {
  const prefix = `${path.basename(uploadFile)}.verified`;
  try {
    return (await readdir(path.dirname(uploadFile))).some((name) => name.startsWith(prefix));
  } catch (error) {
    if (isErrno(error, "ENOENT")) return false;
    throw error;
  }
}
