/**
 * The upload screen's network half, loaded when the trader first sends a file or the screen
 * follows another device's uploads: the upload API's requests, every answer parsed with the
 * contract's schemas. It carries zod/mini, most of the screen's JavaScript: a screen that is only
 * looked at never loads it.
 */
import type { ZodMiniType } from "zod/mini";
import type { PreparedFile } from "@/lib/documents/client-image";
import {
  confirmUploadResponse,
  documentSidesResponse,
  refusalResponse,
  startUploadResponse,
  type DocumentSidesResponse,
  type DocumentType,
  type StartUploadRequest,
} from "@/lib/documents/upload-contract";
import { windowHeaders } from "@/lib/inapp/window-ref";

async function jsonOrNull(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** A body of this shape, or null (a proxy's HTML error page, a response from another version). */
function parsed<T>(schema: ZodMiniType<T>) {
  return async (response: Response): Promise<T | null> => {
    const result = schema.safeParse(await jsonOrNull(response));
    return result.success ? result.data : null;
  };
}
const readSides = parsed(documentSidesResponse);
const readStarted = parsed(startUploadResponse);
const readConfirmed = parsed(confirmUploadResponse);
const readRefusal = parsed(refusalResponse);

/**
 * Where each side stands now, and for the identity document the kind the sides are of; null when
 * the server could not say.
 */
export async function fetchSides(
  documentType: DocumentType,
  windowRef: string,
): Promise<Pick<DocumentSidesResponse, "sides" | "identityKind"> | null> {
  const response = await fetch(`/api/inapp/documents?documentType=${documentType}`, {
    cache: "no-store",
    headers: windowHeaders(windowRef),
  }).catch(() => null);
  return response?.ok ? await readSides(response) : null;
}

/** Refused: the server's reason and message, or null when its answer was not a refusal body. */
export type SendResult =
  { ok: true } | { ok: false; refusal: { reason: string; message?: string } | null };

/**
 * Start, upload (with progress), confirm. Network failures and answers of an unexpected shape
 * throw; an aborted upload throws with `status: -1` (postWithProgress) or an aborted signal.
 */
export async function sendDocument(
  request: StartUploadRequest,
  file: PreparedFile,
  on: { progress: (fraction: number) => void; uploaded: () => void },
  signal: AbortSignal,
  windowRef: string,
): Promise<SendResult> {
  const started = await fetch("/api/inapp/documents", {
    method: "POST",
    headers: { "content-type": "application/json", ...windowHeaders(windowRef) },
    body: JSON.stringify(request),
    signal,
  });
  if (!started.ok) return { ok: false, refusal: await readRefusal(started) };
  const startBody = await readStarted(started);
  if (!startBody) throw new Error("unexpected answer");
  const { documentId, upload: target } = startBody;
  const { postWithProgress } = await import("@/lib/documents/client-image");
  await postWithProgress(target.url, target.fields, file.blob, file.name, on.progress, signal);
  on.uploaded();
  const confirmed = await fetch(`/api/inapp/documents/${documentId}/confirm`, {
    method: "POST",
    headers: windowHeaders(windowRef),
    signal,
  });
  if (!confirmed.ok) return { ok: false, refusal: await readRefusal(confirmed) };
  if (!(await readConfirmed(confirmed))) throw new Error("unexpected answer");
  return { ok: true };
}
