import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import S3rver from "s3rver";
import { documentKey } from "@/lib/storage/keys";
import { S3Storage } from "@/lib/storage/s3";

// A real S3 protocol server, in-process. It stores and serves objects faithfully but enforces
// neither POST policies nor signatures, so the policy document is decoded and asserted below.
const BUCKET = "kyc-documents";
const MB = 1024 * 1024;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xd9]);

let dir: string;
let server: S3rver;
let storage: S3Storage;
let endpoint: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // The driver takes credentials from the AWS default chain; here, the environment.
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  dir = await mkdtemp(path.join(os.tmpdir(), "storage-s3-"));
  server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  storage = new S3Storage({
    bucket: BUCKET,
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    uploadMaxBytes: 10 * MB,
    uploadUrlTtlSeconds: 300,
  });
});

afterAll(async () => {
  storage.client.destroy();
  server.httpServer?.closeAllConnections();
  await server.close();
  await rm(dir, { recursive: true, force: true });
  process.env = savedEnv;
});

const newKey = () => documentKey(randomUUID(), randomUUID());

type Policy = { expiration: string; conditions: unknown[] };
function policyOf(fields: Record<string, string>): Policy {
  return JSON.parse(Buffer.from(fields.Policy!, "base64").toString("utf8")) as Policy;
}

async function post(url: string, fields: Record<string, string>, file: Blob): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", file, "photo.jpg");
  return fetch(url, { method: "POST", body: form });
}

describe("s3 storage: presigned POST", () => {
  it("signs a policy pinning bucket, exact key, exact Content-Type, size [1, max] and ≤ 300 s", async () => {
    const key = newKey();
    const before = Date.now();
    const target = await storage.createUpload({ key, contentType: "image/jpeg", maxBytes: 5 * MB });
    const policy = policyOf(target.fields);

    expect(policy.conditions).toContainEqual({ bucket: BUCKET });
    expect(policy.conditions).toContainEqual(["eq", "$key", key]);
    expect(policy.conditions).toContainEqual(["eq", "$Content-Type", "image/jpeg"]);
    expect(policy.conditions).toContainEqual(["content-length-range", 1, 5 * MB]);
    // Nothing loosens them: no starts-with, no second size range.
    expect(JSON.stringify(policy.conditions)).not.toContain("starts-with");
    expect(
      policy.conditions.filter((c) => Array.isArray(c) && c[0] === "content-length-range"),
    ).toHaveLength(1);

    const expiresIn = Date.parse(policy.expiration) - before;
    expect(expiresIn).toBeLessThanOrEqual(300_000);
    expect(expiresIn).toBeGreaterThan(290_000);
    expect(Math.abs(target.expiresAt.getTime() - Date.parse(policy.expiration))).toBeLessThan(2000);

    expect(target.method).toBe("POST");
    expect(target.url).toBe(`${endpoint}/${BUCKET}`);
    expect(target.fields).toMatchObject({ key, "Content-Type": "image/jpeg", bucket: BUCKET });
    expect(target.fields["X-Amz-Signature"]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("honours a shorter expiry and refuses one over 300 s", async () => {
    const before = Date.now();
    const target = await storage.createUpload({
      key: newKey(),
      contentType: "application/pdf",
      maxBytes: MB,
      expiresInSeconds: 60,
    });
    expect(Date.parse(policyOf(target.fields).expiration) - before).toBeLessThanOrEqual(60_000);
    await expect(
      storage.createUpload({
        key: newKey(),
        contentType: "application/pdf",
        maxBytes: MB,
        expiresInSeconds: 301,
      }),
    ).rejects.toThrow(/lifetime/);
  });

  it("refuses maxBytes above UPLOAD_MAX_BYTES or below 1", async () => {
    for (const maxBytes of [0, 10 * MB + 1, 1.5]) {
      await expect(
        storage.createUpload({ key: newKey(), contentType: "image/jpeg", maxBytes }),
      ).rejects.toThrow(/maxBytes/);
    }
  });

  it("uploads by multipart POST to the returned url and fields; head sees size and type", async () => {
    const key = newKey();
    const target = await storage.createUpload({ key, contentType: "image/jpeg", maxBytes: MB });
    const response = await post(
      target.url,
      target.fields,
      new Blob([JPEG], { type: "image/jpeg" }),
    );
    expect(response.status).toBe(204);
    expect(await storage.head(key)).toEqual({ size: JPEG.length, contentType: "image/jpeg" });
    expect(await storage.get(key)).toEqual(JPEG);
  });

  it("with S3_SERVER_SIDE_ENCRYPTION the form requires SSE-S3, as a signed condition and a field", async () => {
    const encrypting = new S3Storage({
      bucket: BUCKET,
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      serverSideEncryption: "AES256",
      uploadMaxBytes: 10 * MB,
      uploadUrlTtlSeconds: 300,
    });
    try {
      const key = newKey();
      const target = await encrypting.createUpload({
        key,
        contentType: "image/jpeg",
        maxBytes: MB,
      });
      expect(policyOf(target.fields).conditions).toContainEqual([
        "eq",
        "$x-amz-server-side-encryption",
        "AES256",
      ]);
      expect(target.fields["x-amz-server-side-encryption"]).toBe("AES256");
      const response = await post(
        target.url,
        target.fields,
        new Blob([JPEG], { type: "image/jpeg" }),
      );
      expect(response.status).toBe(204);
      expect(await encrypting.get(key)).toEqual(JPEG);
      await encrypting.put(key, JPEG, "application/octet-stream");
      expect(await encrypting.head(key)).toEqual({
        size: JPEG.length,
        contentType: "application/octet-stream",
      });

      // Without the setting, nothing asks for it (a store without a key service would refuse).
      const plain = await storage.createUpload({
        key: newKey(),
        contentType: "image/jpeg",
        maxBytes: MB,
      });
      expect(JSON.stringify(policyOf(plain.fields))).not.toContain("server-side-encryption");
      expect(plain.fields).not.toHaveProperty("x-amz-server-side-encryption");
    } finally {
      encrypting.client.destroy();
    }
  });
});

describe("s3 storage: objects", () => {
  it("head answers null for a missing object; get refuses it", async () => {
    const key = newKey();
    expect(await storage.head(key)).toBeNull();
    await expect(storage.get(key)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("put replaces the object and its type; delete removes it and is idempotent", async () => {
    const key = newKey();
    await storage.put(key, JPEG, "image/jpeg");
    await storage.put(key, Buffer.from("%PDF-1.7 replaced"), "application/pdf");
    expect(await storage.head(key)).toEqual({ size: 17, contentType: "application/pdf" });
    expect((await storage.get(key)).toString()).toBe("%PDF-1.7 replaced");
    await storage.delete(key);
    expect(await storage.head(key)).toBeNull();
    await expect(storage.delete(key)).resolves.toBeUndefined();
  });

  it("get refuses an object larger than its bound", async () => {
    const key = newKey();
    await storage.put(key, Buffer.alloc(100, 1), "image/png");
    await expect(storage.get(key, { maxBytes: 99 })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    expect((await storage.get(key, { maxBytes: 100 })).length).toBe(100);
  });
});

describe("s3 storage: staff downloads", () => {
  it("presigns a GET living ≤ 60 s that downloads the object as an attachment", async () => {
    const key = newKey();
    await storage.put(key, JPEG, "image/jpeg");
    const url = new URL(
      await storage.presignGet(key, { ttlSeconds: 60, filename: "id front.jpg" }),
    );
    expect(Number(url.searchParams.get("X-Amz-Expires"))).toBeLessThanOrEqual(60);
    expect(url.searchParams.get("response-content-disposition")).toBe(
      `attachment; filename="id front.jpg"; filename*=UTF-8''id%20front.jpg`,
    );
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="id front.jpg"/,
    );
    expect(Buffer.from(await response.arrayBuffer())).toEqual(JPEG);
  });

  it("refuses to presign a GET living over 60 s", async () => {
    await expect(storage.presignGet(newKey(), { ttlSeconds: 61 })).rejects.toThrow(/lifetime/);
  });
});

describe("s3 storage: keys", () => {
  it.each([
    "../outside",
    `cases/${randomUUID()}/../${randomUUID()}`,
    `/cases/${randomUUID()}/${randomUUID()}`,
    `cases/${randomUUID()}/passport.jpg`,
    `cases/${randomUUID()}/${randomUUID()}/\${filename}`,
    `other/${randomUUID()}/${randomUUID()}`,
  ])("refuses the key %j in every operation", async (key) => {
    const message = "invalid storage key";
    await expect(
      storage.createUpload({ key, contentType: "image/jpeg", maxBytes: 10 }),
    ).rejects.toThrow(message);
    await expect(storage.head(key)).rejects.toThrow(message);
    await expect(storage.get(key)).rejects.toThrow(message);
    await expect(storage.put(key, JPEG, "image/jpeg")).rejects.toThrow(message);
    await expect(storage.delete(key)).rejects.toThrow(message);
    await expect(storage.presignGet(key, { ttlSeconds: 10 })).rejects.toThrow(message);
  });
});
