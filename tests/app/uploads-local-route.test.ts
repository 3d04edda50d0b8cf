import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GET } from "@/app/api/uploads/local/[...key]/route";
import { POST } from "@/app/api/uploads/local/route";
import { documentKey, storage } from "@/lib/storage";
import { setTestEnv } from "../helpers/env";

const ORIGIN = "http://kyc.test";
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "uploads-route-"));
  setTestEnv({ STORAGE_DRIVER: "local", S3_BUCKET: undefined, DATA_DIR: dir });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterAll(() => setTestEnv({ STORAGE_DRIVER: undefined, DATA_DIR: undefined }));

describe("/api/uploads/local", () => {
  it("takes an upload signed by the configured driver and serves it back by a signed URL", async () => {
    const key = documentKey(randomUUID(), randomUUID());
    const target = await storage().createUpload({ key, contentType: "image/png", maxBytes: 100 });
    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append("file", new Blob(["png bytes"], { type: "image/png" }), "x.png");
    const uploaded = await POST(
      new Request(new URL(target.url, ORIGIN), { method: "POST", body: form }),
    );
    expect(uploaded.status).toBe(204);

    const url = await storage().presignGet(key, { ttlSeconds: 30 });
    const downloaded = await GET(new Request(new URL(url, ORIGIN)));
    expect(downloaded.status).toBe(200);
    expect(await downloaded.text()).toBe("png bytes");
  });

  it("does not exist when the driver is s3 (404 for upload and download)", async () => {
    const key = documentKey(randomUUID(), randomUUID());
    const local = storage();
    const target = await local.createUpload({ key, contentType: "image/png", maxBytes: 100 });
    const url = await local.presignGet(key, { ttlSeconds: 30 });
    setTestEnv({ STORAGE_DRIVER: "s3", S3_BUCKET: "kyc", DATA_DIR: dir });

    const form = new FormData();
    for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
    form.append("file", new Blob(["png bytes"], { type: "image/png" }), "x.png");
    const uploaded = await POST(
      new Request(new URL(target.url, ORIGIN), { method: "POST", body: form }),
    );
    expect(uploaded.status).toBe(404);
    expect((await GET(new Request(new URL(url, ORIGIN)))).status).toBe(404);
    expect(await local.head(key)).toBeNull();
  });
});
