import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { documentKey, verifiedDocumentKey } from "@/lib/storage/keys";
import { prepareFile } from "@/lib/documents/client-image";
import { LocalStorage, type LocalStorageOptions } from "@/lib/storage/local";
import type { UploadTarget } from "@/lib/storage/types";

const ORIGIN = "http://kyc.test";
const MB = 1024 * 1024;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xd9]);

let dir: string;
let root: string;
let storage: LocalStorage;

function makeStorage(overrides: Partial<LocalStorageOptions> = {}): LocalStorage {
  return new LocalStorage({
    root,
    appSecret: "an-app-secret-for-tests-only-0123456789abcdef",
    uploadMaxBytes: 10 * MB,
    uploadUrlTtlSeconds: 300,
    ...overrides,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "storage-local-"));
  root = path.join(dir, "documents");
  storage = makeStorage();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const newKey = () => documentKey(randomUUID(), randomUUID());

function uploadRequest(
  target: UploadTarget,
  file: Blob,
  fields: Record<string, string> = target.fields,
): Request {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", file, "photo.jpg");
  return new Request(new URL(target.url, ORIGIN), { method: "POST", body: form });
}

/** The upload form of a small JPEG, sent as a stream; `beforeLastBytes` runs as its end arrives. */
function uploadEndingWith(target: UploadTarget, beforeLastBytes: () => Promise<void> | void) {
  const form = uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" }));
  const reader = form.body!.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) {
        await beforeLastBytes();
        controller.close();
      } else controller.enqueue(value);
    },
  });
  return new Request(new URL(target.url, ORIGIN), {
    method: "POST",
    headers: { "content-type": form.headers.get("content-type")! },
    body,
    duplex: "half",
  } as RequestInit);
}

/** A hand-built multipart body, streamed, counting how much of it the handler pulled. */
function streamedUpload(
  target: UploadTarget,
  fileBytes: number,
  options: { contentLength?: string } = {},
) {
  const boundary = "----test-boundary-7MA4YWxkTrZu0gW";
  let head = "";
  for (const [name, value] of Object.entries(target.fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  let remaining = fileBytes;
  let stage: "head" | "file" | "tail" | "done" = "head";
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let out: Buffer;
        if (stage === "head") {
          out = Buffer.from(head);
          stage = "file";
        } else if (stage === "file" && remaining > 0) {
          out = chunk.subarray(0, Math.min(chunk.length, remaining));
          remaining -= out.length;
        } else if (stage !== "done") {
          out = Buffer.from(tail);
          stage = "done";
        } else {
          controller.close();
          return;
        }
        sent += out.length;
        controller.enqueue(new Uint8Array(out));
      },
    },
    { highWaterMark: 0 },
  ); // pulled only when the handler reads
  const headers: Record<string, string> = {
    "content-type": `multipart/form-data; boundary=${boundary}`,
  };
  if (options.contentLength) headers["content-length"] = options.contentLength;
  const request = new Request(new URL(target.url, ORIGIN), {
    method: "POST",
    headers,
    body,
    duplex: "half",
  } as RequestInit);
  return { request, sent: () => sent };
}

type Part = {
  name: string;
  value: string | Buffer;
  filename?: string;
  type?: string;
  /** Replaces `form-data; name=…`. */
  disposition?: string;
};

/** A multipart request built part by part, for shapes a browser's FormData would not send. */
function multipartRequest(parts: Part[]): Request {
  const boundary = "----hand-built-9f8e7d6c5b4a";
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.disposition ?? `form-data; name="${part.name}"`;
    let head = `--${boundary}\r\nContent-Disposition: ${disposition}`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += "\r\n";
    if (part.type) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(part.value), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return new Request(`${ORIGIN}/api/uploads/local`, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: Buffer.concat(chunks),
  });
}

const fieldParts = (fields: Record<string, string>): Part[] =>
  Object.entries(fields).map(([name, value]) => ({ name, value }));
const filePart = (bytes: Buffer = JPEG, name = "file"): Part => ({
  name,
  value: bytes,
  filename: "photo.jpg",
  type: "image/jpeg",
});

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: string; message: string; code: string };
  expect(Object.keys(body).sort()).toEqual(["code", "error", "message"]);
  return body;
}

async function leftovers(): Promise<string[]> {
  const tmp = await readdir(path.join(root, ".tmp")).catch(() => []);
  return tmp;
}

async function uploadFor(key: string, maxBytes = 10 * MB, contentType = "image/jpeg") {
  return storage.createUpload({ key, contentType, maxBytes });
}

describe("local storage: uploads", () => {
  it("takes a PDF the browser named no type for, as the upload screen prepares it", async () => {
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n");
    for (const type of ["", "application/octet-stream"]) {
      const key = newKey();
      const target = await uploadFor(key, 10 * MB, "application/pdf");
      const prepared = await prepareFile(new File([pdf], "Statement.PDF", { type }));
      expect(prepared.contentType).toBe("application/pdf");
      const response = await storage.handleUpload(uploadRequest(target, prepared.blob));
      expect(response.status).toBe(204);
      expect(await storage.get(key)).toEqual(pdf);
    }
  });

  it("stores a signed upload and reports its size and type (204)", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    expect(target.method).toBe("POST");
    expect(target.url).toBe("/api/uploads/local");
    expect(Object.keys(target.fields)).toEqual([
      "key",
      "contentType",
      "maxBytes",
      "expires",
      "signature",
    ]);
    expect(target.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(300_000);

    const response = await storage.handleUpload(
      uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" })),
    );
    expect(response.status).toBe(204);
    expect(await storage.head(key)).toEqual({ size: JPEG.length, contentType: "image/jpeg" });
    expect(await storage.get(key)).toEqual(JPEG);
    expect(await leftovers()).toEqual([]);
  });

  it("keeps files under the root, at cases/<caseId>/<documentId>", async () => {
    const caseId = randomUUID();
    const documentId = randomUUID();
    const target = await uploadFor(documentKey(caseId, documentId));
    await storage.handleUpload(uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" })));
    expect(await readFile(path.join(root, "cases", caseId, documentId))).toEqual(JPEG);
  });

  it("refuses an expired upload URL (403) and stores nothing", async () => {
    const key = newKey();
    const target = await storage.createUpload({
      key,
      contentType: "image/jpeg",
      maxBytes: MB,
      expiresInSeconds: 60,
    });
    const later = makeStorage({ now: () => Date.now() + 61_000 });
    const response = await later.handleUpload(
      uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" })),
    );
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toMatch(/expired/);
    expect(await storage.head(key)).toBeNull();
  });

  it("refuses an upload that was still arriving a minute after its URL expired, and stores nothing", async () => {
    // The upload starts in time; the trader's connection is slow. Its row is purged as abandoned
    // later (lib/documents/service.ts): a file stored after that would be one nothing names.
    for (const [lateBy, stored] of [
      [59_000, true],
      [61_000, false],
    ] as const) {
      let clock = Date.now();
      const slow = makeStorage({ now: () => clock });
      const key = newKey();
      const target = await slow.createUpload({
        key,
        contentType: "image/jpeg",
        maxBytes: MB,
        expiresInSeconds: 60,
      });
      const response = await slow.handleUpload(
        uploadEndingWith(target, () => {
          // The last bytes arrive this long after the URL's expiry.
          clock = target.expiresAt.getTime() + lateBy;
        }),
      );
      expect(response.status).toBe(stored ? 204 : 403);
      expect((await storage.head(key)) !== null).toBe(stored);
      if (!stored) expect((await errorOf(response)).message).toMatch(/expired/);
    }
  });

  type Tamper = (fields: Record<string, string>) => Record<string, string>;
  it.each<[string, Tamper]>([
    [
      "signature",
      (f: Record<string, string>) => ({
        ...f,
        signature: `${f.signature!.startsWith("A") ? "B" : "A"}${f.signature!.slice(1)}`,
      }),
    ],
    ["key (another case)", (f: Record<string, string>) => ({ ...f, key: newKey() })],
    ["maxBytes", (f: Record<string, string>) => ({ ...f, maxBytes: String(10 * MB) })],
    ["contentType", (f: Record<string, string>) => ({ ...f, contentType: "image/png" })],
    ["expires", (f: Record<string, string>) => ({ ...f, expires: String(Number(f.expires) + 1) })],
  ])("refuses a form whose %s was changed (403)", async (_name, tamper) => {
    const target = await uploadFor(newKey(), 1024);
    const fields = tamper(target.fields);
    const type = fields.contentType ?? "image/jpeg";
    const response = await storage.handleUpload(
      uploadRequest(target, new Blob([JPEG], { type }), fields),
    );
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe("FORBIDDEN");
    expect(await storage.head(fields.key!)).toBeNull();
    expect(await storage.head(target.fields.key!)).toBeNull();
  });

  it("refuses a signature made with another APP_SECRET (403)", async () => {
    const other = makeStorage({ appSecret: "another-app-secret-for-tests-0123456789abcdef" });
    const target = await other.createUpload({
      key: newKey(),
      contentType: "image/jpeg",
      maxBytes: 1024,
    });
    const response = await storage.handleUpload(
      uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" })),
    );
    expect(response.status).toBe(403);
  });

  it("refuses a file larger than the signed maxBytes (413) and leaves nothing behind", async () => {
    const key = newKey();
    const target = await uploadFor(key, 10);
    const response = await storage.handleUpload(
      uploadRequest(target, new Blob([Buffer.alloc(11, 1)], { type: "image/jpeg" })),
    );
    expect(response.status).toBe(413);
    expect(await storage.head(key)).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it("accepts a file of exactly maxBytes", async () => {
    const key = newKey();
    const target = await uploadFor(key, 10);
    const response = await storage.handleUpload(
      uploadRequest(target, new Blob([Buffer.alloc(10, 1)], { type: "image/jpeg" })),
    );
    expect(response.status).toBe(204);
    expect((await storage.head(key))?.size).toBe(10);
  });

  it("refuses an 11 MB upload while streaming, without reading the whole body (413)", async () => {
    const key = newKey();
    const upload = streamedUpload(await uploadFor(key), 11 * MB);
    const response = await storage.handleUpload(upload.request);
    expect(response.status).toBe(413);
    expect(upload.sent()).toBeLessThan(10 * MB + 256 * 1024);
    expect(await storage.head(key)).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it("refuses an 11 MB upload by its Content-Length before reading any of it (413)", async () => {
    const key = newKey();
    const upload = streamedUpload(await uploadFor(key), 11 * MB, {
      contentLength: String(11 * MB + 1000),
    });
    const response = await storage.handleUpload(upload.request);
    expect(response.status).toBe(413);
    expect(upload.sent()).toBe(0);
  });

  it("refuses an 11 MB upload whose Content-Length lies (413 by counting)", async () => {
    const key = newKey();
    const upload = streamedUpload(await uploadFor(key), 11 * MB, { contentLength: "2000" });
    const response = await storage.handleUpload(upload.request);
    expect(response.status).toBe(413);
    expect(upload.sent()).toBeLessThan(10 * MB + 256 * 1024);
    expect(await storage.head(key)).toBeNull();
  });

  it("refuses a file part whose type differs from the signed type (415)", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    const response = await storage.handleUpload(
      uploadRequest(target, new Blob(["<html></html>"], { type: "text/html" })),
    );
    expect(response.status).toBe(415);
    expect(await storage.head(key)).toBeNull();
  });

  it("refuses a body that is not multipart/form-data, or has no boundary (415)", async () => {
    for (const type of [
      "application/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; charset=utf-8",
    ]) {
      const response = await storage.handleUpload(
        new Request(`${ORIGIN}/api/uploads/local`, {
          method: "POST",
          headers: { "content-type": type },
          body: "key=a",
        }),
      );
      expect(response.status).toBe(415);
    }
  });

  it("refuses an empty file (400)", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    const response = await storage.handleUpload(
      uploadRequest(target, new Blob([], { type: "image/jpeg" })),
    );
    expect(response.status).toBe(400);
    expect(await storage.head(key)).toBeNull();
  });

  it("refuses a form with missing or extra fields, or the file before the fields (400)", async () => {
    const target = await uploadFor(newKey());
    const file = new Blob([JPEG], { type: "image/jpeg" });
    const unsigned = { ...target.fields };
    delete unsigned.signature;
    expect((await storage.handleUpload(uploadRequest(target, file, unsigned))).status).toBe(400);
    const extra = { ...target.fields, acl: "public-read" };
    expect((await storage.handleUpload(uploadRequest(target, file, extra))).status).toBe(400);

    const form = new FormData();
    form.append("file", file, "a.jpg");
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    const response = await storage.handleUpload(
      new Request(`${ORIGIN}/api/uploads/local`, { method: "POST", body: form }),
    );
    expect(response.status).toBe(400);
  });

  it("reads only the fields of a forged form, not the 11 MB file behind them (403)", async () => {
    const target = await uploadFor(newKey());
    const forged = { ...target.fields, maxBytes: String(10 * MB - 1) };
    const upload = streamedUpload({ ...target, fields: forged }, 11 * MB);
    const response = await storage.handleUpload(upload.request);
    expect(response.status).toBe(403);
    expect(upload.sent()).toBeLessThan(MB);
    expect(await leftovers()).toEqual([]);
  });

  it("refuses a second file part (400): neither file is stored, nothing is left behind", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    const response = await storage.handleUpload(
      multipartRequest([...fieldParts(target.fields), filePart(), filePart(Buffer.alloc(20, 2))]),
    );
    expect(response.status).toBe(400);
    expect(await storage.head(key)).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it("refuses a field after the file (400): the file is the last part", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    const response = await storage.handleUpload(
      multipartRequest([...fieldParts(target.fields), filePart(), { name: "acl", value: "x" }]),
    );
    expect(response.status).toBe(400);
    expect(await storage.head(key)).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it("refuses a repeated, an over-long or a file-shaped form field (400)", async () => {
    const target = await uploadFor(newKey());
    const fields = fieldParts(target.fields);
    for (const parts of [
      [{ name: "key", value: target.fields.key! }, ...fields, filePart()],
      [{ name: "note", value: "x".repeat(600) }, ...fields, filePart()],
      [
        ...fields.slice(0, 4),
        { ...fields[4]!, value: `${target.fields.signature}${" ".repeat(600)}` },
        filePart(),
      ],
      [...fields, filePart(JPEG, "signature")],
    ]) {
      const response = await storage.handleUpload(multipartRequest(parts));
      expect(response.status).toBe(400);
    }
    expect(await storage.head(target.fields.key!)).toBeNull();
  });

  it("refuses a form with more parts than the upload has, even parts a parser skips (400)", async () => {
    const target = await uploadFor(newKey());
    const junk = Array.from({ length: 10 }, () => ({ name: "", value: "", disposition: "inline" }));
    const response = await storage.handleUpload(
      multipartRequest([...junk, ...fieldParts(target.fields), filePart()]),
    );
    expect(response.status).toBe(400);
    expect(await storage.head(target.fields.key!)).toBeNull();
  });

  it("refuses a truncated body (400) and stores nothing", async () => {
    const key = newKey();
    const complete = uploadRequest(
      await uploadFor(key),
      new Blob([Buffer.alloc(5000, 7)], { type: "image/jpeg" }),
    );
    const bytes = Buffer.from(await complete.arrayBuffer());
    const response = await storage.handleUpload(
      new Request(`${ORIGIN}/api/uploads/local`, {
        method: "POST",
        headers: { "content-type": complete.headers.get("content-type")! },
        body: bytes.subarray(0, bytes.length - 100),
      }),
    );
    expect(response.status).toBe(400);
    expect(await storage.head(key)).toBeNull();
    expect(await leftovers()).toEqual([]);
  });

  it("is single use: a replayed upload gets 409 and the first file stays", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    const first = await storage.handleUpload(
      uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" })),
    );
    expect(first.status).toBe(204);
    const replay = await storage.handleUpload(
      uploadRequest(target, new Blob([Buffer.alloc(20, 9)], { type: "image/jpeg" })),
    );
    expect(replay.status).toBe(409);
    expect((await errorOf(replay)).code).toBe("CONFLICT");
    expect(await storage.get(key)).toEqual(JPEG);
  });

  it("lets only one of two concurrent uploads to the same key win", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    const [a, b] = await Promise.all([
      storage.handleUpload(uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" }))),
      storage.handleUpload(uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" }))),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 409]);
  });

  it("refuses maxBytes above UPLOAD_MAX_BYTES and upload URLs living over 300 s", async () => {
    await expect(
      storage.createUpload({ key: newKey(), contentType: "image/jpeg", maxBytes: 10 * MB + 1 }),
    ).rejects.toThrow(/maxBytes/);
    await expect(
      storage.createUpload({
        key: newKey(),
        contentType: "image/jpeg",
        maxBytes: 1,
        expiresInSeconds: 301,
      }),
    ).rejects.toThrow(/lifetime/);
    await expect(
      storage.createUpload({ key: newKey(), contentType: "image/jpeg\r\nX: y", maxBytes: 1 }),
    ).rejects.toThrow(/content type/);
  });
});

describe("local storage: a deleted upload key is spent", () => {
  it("refuses its form once the key was deleted (the confirm decided), and stores nothing", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    await storage.delete(key);
    const response = await storage.handleUpload(
      uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" })),
    );
    expect(response.status).toBe(409);
    expect(await storage.head(key)).toBeNull();
  });

  it("keeps a spent key's marker while a form for it can be posted, then prunes it", async () => {
    let clock = Date.now();
    const timed = makeStorage({ now: () => clock });
    const first = newKey();
    const target = await timed.createUpload({
      key: first,
      contentType: "image/jpeg",
      maxBytes: MB,
    });
    await timed.delete(first);
    const markers = () => readdir(path.join(root, ".spent"));
    expect(await markers()).toHaveLength(1);
    // The form's last moment: still refused as spent, not stored.
    clock = target.expiresAt.getTime() - 1000;
    const late = await timed.handleUpload(
      uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" })),
    );
    expect(late.status).toBe(409);
    // Long after any form for it expired, the next delete prunes it.
    clock += 15 * 60_000;
    const second = newKey();
    await timed.delete(second);
    const [, caseId, documentId] = second.split("/");
    expect(await markers()).toEqual([`${caseId}.${documentId}`]);
  });

  it("leaves no marker, and removes an earlier one, when no form for the key can be posted any more", async () => {
    const key = newKey();
    await uploadFor(key);
    await storage.delete(key);
    const [, caseId, documentId] = key.split("/");
    const marker = path.join(root, ".spent", `${caseId}.${documentId}`);
    expect((await readdir(path.join(root, ".spent"))).includes(path.basename(marker))).toBe(true);
    await storage.delete(key, { formExpired: true });
    expect((await readdir(path.join(root, ".spent"))).includes(path.basename(marker))).toBe(false);
    const other = newKey();
    await storage.delete(other, { formExpired: true });
    const [, otherCase, otherDocument] = other.split("/");
    expect(await readdir(path.join(root, ".spent"))).not.toContain(`${otherCase}.${otherDocument}`);
  });

  it("deletes the file even when its marker cannot be written", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    const stored = await storage.handleUpload(
      uploadRequest(target, new Blob([JPEG], { type: "image/jpeg" })),
    );
    expect(stored.status).toBeLessThan(300);
    // A file where the markers' folder should be: no marker can be written.
    await writeFile(path.join(root, ".spent"), "");
    await storage.delete(key);
    expect(await storage.head(key)).toBeNull();
  });

  it("removes a file that finished arriving after its key was deleted", async () => {
    const key = newKey();
    const target = await uploadFor(key);
    const response = await storage.handleUpload(
      // The route has looked at the key already; the confirm decides before the file lands.
      uploadEndingWith(target, () => storage.delete(key)),
    );
    expect(response.status).toBe(409);
    expect(await storage.head(key)).toBeNull();
  });
});

describe("local storage: keys never leave the root", () => {
  const hostile = [
    "../outside",
    "cases/../../outside",
    `cases/${randomUUID()}/../../../outside`,
    "/etc/passwd",
    `/cases/${randomUUID()}/${randomUUID()}`,
    `cases/${randomUUID()}/..%2f..%2foutside`,
    `cases%2f${randomUUID()}%2f${randomUUID()}`,
    `cases/${randomUUID()}/${randomUUID()}/extra`,
    `cases/${randomUUID().toUpperCase()}/${randomUUID()}`,
    `cases\\${randomUUID()}\\${randomUUID()}`,
    "",
  ];

  it.each(hostile)("refuses the key %j in every operation", async (key) => {
    await expect(storage.head(key)).rejects.toThrow("invalid storage key");
    await expect(storage.get(key)).rejects.toThrow("invalid storage key");
    await expect(storage.put(key, JPEG, "image/jpeg")).rejects.toThrow("invalid storage key");
    await expect(storage.delete(key)).rejects.toThrow("invalid storage key");
    await expect(storage.presignGet(key, { ttlSeconds: 30 })).rejects.toThrow(
      "invalid storage key",
    );
    await expect(
      storage.createUpload({ key, contentType: "image/jpeg", maxBytes: 10 }),
    ).rejects.toThrow("invalid storage key");
  });

  it("never signs an upload form for a verified key, which only the confirm writes", async () => {
    const key = verifiedDocumentKey(randomUUID(), randomUUID(), "0123456789abcdef");
    await storage.put(key, JPEG, "image/jpeg");
    expect(await storage.head(key)).toMatchObject({ size: JPEG.length });
    await expect(
      storage.createUpload({ key, contentType: "image/jpeg", maxBytes: 10 }),
    ).rejects.toThrow("invalid storage key");
  });

  it("names each confirm's verified key by its own attempt, and nothing else", () => {
    const [caseId, documentId] = [randomUUID(), randomUUID()];
    expect(verifiedDocumentKey(caseId, documentId, "0123456789abcdef")).toBe(
      `cases/${caseId}/${documentId}.verified-0123456789abcdef`,
    );
    for (const attempt of ["", "../x", "0123456789ABCDEF", "0123456789abcdef0"])
      expect(() => verifiedDocumentKey(caseId, documentId, attempt)).toThrow("invalid attempt");
  });

  it("builds keys only from two uuids", () => {
    expect(() => documentKey("../x", randomUUID())).toThrow();
    expect(() => documentKey(randomUUID(), "passport.jpg")).toThrow();
    const caseId = randomUUID();
    expect(documentKey(caseId.toUpperCase(), caseId)).toBe(`cases/${caseId}/${caseId}`);
  });

  it.each([
    "/api/uploads/local/..%2f..%2fsecret",
    "/api/uploads/local/%2e%2e/%2e%2e/secret",
    "/api/uploads/local/../../secret",
    "/api/uploads/local/cases/..%2f..%2f..%2fsecret",
  ])("does not serve %s", async (pathname) => {
    await writeFile(path.join(dir, "secret"), "top secret");
    const response = await storage.handleDownload(
      new Request(`${ORIGIN}${pathname}?expires=9999999999&signature=x`),
    );
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("top secret");
  });
});

describe("local storage: objects", () => {
  it("put replaces an object and its type; delete removes it (and is idempotent)", async () => {
    const key = newKey();
    await storage.put(key, JPEG, "image/jpeg");
    await storage.put(key, Buffer.from("%PDF-1.7"), "application/pdf");
    expect(await storage.head(key)).toEqual({ size: 8, contentType: "application/pdf" });
    await storage.delete(key);
    expect(await storage.head(key)).toBeNull();
    await expect(storage.delete(key)).resolves.toBeUndefined();
    await expect(storage.get(key)).rejects.toThrow("no such document");
  });

  it("get refuses an object larger than its bound", async () => {
    const key = newKey();
    await storage.put(key, Buffer.alloc(100), "image/jpeg");
    await expect(storage.get(key, { maxBytes: 99 })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    expect((await storage.get(key, { maxBytes: 100 })).length).toBe(100);
  });
});

describe("local storage: staff downloads", () => {
  async function stored() {
    const key = newKey();
    await storage.put(key, JPEG, "image/jpeg");
    return key;
  }

  it("serves a presigned URL as a private, non-sniffable attachment", async () => {
    const key = await stored();
    const url = await storage.presignGet(key, { ttlSeconds: 60, filename: "passport front.jpg" });
    expect(url.startsWith(`/api/uploads/local/${key}?`)).toBe(true);
    const response = await storage.handleDownload(new Request(new URL(url, ORIGIN)));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="passport front.jpg"; filename*=UTF-8''passport%20front.jpg`,
    );
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(JPEG);
  });

  it("serves the signed content type instead of the stored one when asked", async () => {
    const key = await stored();
    const url = await storage.presignGet(key, {
      ttlSeconds: 10,
      contentType: "application/octet-stream",
    });
    const response = await storage.handleDownload(new Request(new URL(url, ORIGIN)));
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toBe("attachment");
  });

  it("refuses a download URL after its ≤ 60 s lifetime (403)", async () => {
    const key = await stored();
    const url = await storage.presignGet(key, { ttlSeconds: 60 });
    const later = makeStorage({ now: () => Date.now() + 61_000 });
    const response = await later.handleDownload(new Request(new URL(url, ORIGIN)));
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toMatch(/expired/);
  });

  it("refuses to sign a download URL living over 60 s", async () => {
    const key = await stored();
    await expect(storage.presignGet(key, { ttlSeconds: 61 })).rejects.toThrow(/lifetime/);
  });

  it.each<[string, (url: URL) => void]>([
    [
      "signature",
      (u: URL) => {
        const signature = u.searchParams.get("signature")!;
        u.searchParams.set("signature", (signature[0] === "x" ? "y" : "x") + signature.slice(1));
      },
    ],
    [
      "expires",
      (u: URL) =>
        u.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 600)),
    ],
    ["filename", (u: URL) => u.searchParams.set("filename", "evil.html")],
    ["contentType", (u: URL) => u.searchParams.set("contentType", "text/html")],
  ])("refuses a download URL whose %s was changed (403)", async (_name, tamper) => {
    const key = await stored();
    const url = new URL(
      await storage.presignGet(key, { ttlSeconds: 30, filename: "a.jpg" }),
      ORIGIN,
    );
    tamper(url);
    const response = await storage.handleDownload(new Request(url));
    expect(response.status).toBe(403);
  });

  it("refuses a download URL signed for another key (403)", async () => {
    const key = await stored();
    const other = await stored();
    const url = new URL(await storage.presignGet(key, { ttlSeconds: 30 }), ORIGIN);
    url.pathname = `/api/uploads/local/${other}`;
    expect((await storage.handleDownload(new Request(url))).status).toBe(403);
  });

  it("answers 404 for a validly signed URL whose object is gone", async () => {
    const key = await stored();
    const url = await storage.presignGet(key, { ttlSeconds: 30 });
    await storage.delete(key);
    expect((await storage.handleDownload(new Request(new URL(url, ORIGIN)))).status).toBe(404);
  });

  it("does not accept an upload signature as a download signature", async () => {
    const key = await stored();
    const target = await uploadFor(key);
    const url = new URL(`/api/uploads/local/${key}`, ORIGIN);
    url.searchParams.set("expires", target.fields.expires!);
    url.searchParams.set("signature", target.fields.signature!);
    expect((await storage.handleDownload(new Request(url))).status).toBe(403);
  });
});
