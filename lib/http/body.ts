/**
 * The one bounded reader for HTTP bodies, ours (route requests) and other servers' (cTrader's
 * answers): whatever a peer sends, at most `limit` bytes are ever taken in. The declared
 * Content-Length is checked before a byte is read, and the bytes are counted as they arrive,
 * because the header is the sender's word, not a guarantee (a chunked body has none).
 */
import { AppError } from "@/lib/errors";

/** A Request or a Response: anything with headers and a web body. */
export type BodySource = { headers: Headers; body: ReadableStream<Uint8Array> | null };

const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", "body too large");

/** Throws PAYLOAD_TOO_LARGE when the declared Content-Length is over `limit` (or not a number). */
function checkDeclaredLength(source: BodySource, limit: number): void {
  const declared = source.headers.get("content-length");
  if (declared !== null && !(Number(declared) <= limit)) throw tooLarge();
}

function cancel(body: ReadableStream<Uint8Array>): void {
  // Not awaited: a hostile peer must not be able to hold us by never finishing the cancel.
  void body.cancel().catch(() => undefined);
}

/**
 * The body as a stream that fails with PAYLOAD_TOO_LARGE as soon as more than `limit` bytes came
 * through, for callers that consume it as it arrives (the multipart upload). Null when there is
 * no body; throws at once when the declared length is over the limit, leaving the body unread.
 */
export function limitedBody(source: BodySource, limit: number): ReadableStream<Uint8Array> | null {
  const { body } = source;
  try {
    checkDeclaredLength(source, limit);
  } catch (error) {
    if (body) cancel(body);
    throw error;
  }
  if (!body) return null;
  let received = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
}

/** Reads the whole body, at most `limit` bytes; an absent body is empty. */
export async function readBody(source: BodySource, limit: number): Promise<Buffer> {
  const body = limitedBody(source, limit);
  if (!body) return Buffer.alloc(0);
  // Past the limit the stream errors, which also cancels the source: nothing more is pulled.
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    chunks.push(value);
  }
}
