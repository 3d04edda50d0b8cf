/**
 * The storage driver the app uses, picked by STORAGE_DRIVER (lib/env.ts): `local` (default,
 * files under DATA_DIR/documents) or `s3`. Callers get a `DocumentStorage` and never branch on
 * the driver.
 */
import "server-only";
import { env, type Env } from "@/lib/env";
import { localStorageFor } from "./local";
import { S3Storage } from "./s3";
import type { DocumentStorage } from "./types";

export { documentKey, parseDocumentKey, verifiedDocumentKey } from "./keys";
export type { DocumentStorage, ObjectInfo, UploadTarget } from "./types";

export function createStorage(config: Env): DocumentStorage {
  const { storage } = config;
  if (storage.driver === "local") return localStorageFor(config);
  // env.ts refuses s3 without a bucket; this keeps the types honest.
  if (!storage.s3) throw new Error("S3_BUCKET is required with STORAGE_DRIVER=s3");
  return new S3Storage({
    ...storage.s3,
    uploadMaxBytes: storage.uploadMaxBytes,
    uploadUrlTtlSeconds: storage.uploadUrlTtlSeconds,
  });
}

let cached: { config: Env; storage: DocumentStorage } | undefined;

/** The configured driver (rebuilt when tests make lib/env.ts re-read the configuration). */
export function storage(): DocumentStorage {
  const config = env();
  if (cached?.config !== config) cached = { config, storage: createStorage(config) };
  return cached.storage;
}
