/** Placeholder until the inspection pipeline lands (branch `docinspect`). */
export type InspectResult =
  | { ok: false; reason: string }
  | {
      ok: true;
      bytes: Buffer;
      contentType: string;
      sha256: string;
      phash?: string | null;
      quality?: Record<string, unknown>;
      issues?: string[];
    };
export async function inspectDocument(
  _bytes: Buffer,
  _declaredType: string,
  _options: { maxBytes: number },
): Promise<InspectResult> {
  return { ok: false, reason: "unsupported_type" };
}
