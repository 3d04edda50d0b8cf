/** Placeholder until the storage drivers land (branch `storage`). */
export type UploadTarget = {
  method: "POST";
  url: string;
  fields: Record<string, string>;
  expiresAt: Date;
};
export type Storage = {
  createUpload(input: {
    key: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
  }): Promise<UploadTarget>;
  head(key: string): Promise<{ size: number; contentType: string | undefined } | null>;
  get(key: string, maxBytes: number): Promise<Buffer>;
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  delete(key: string): Promise<void>;
};
export function documentKey(caseId: string, documentId: string): string {
  return `cases/${caseId}/${documentId}`;
}
export function getStorage(): Storage {
  throw new Error("storage drivers not merged yet");
}
