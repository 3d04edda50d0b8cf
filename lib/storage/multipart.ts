/**
 * A small streaming multipart/form-data reader for the local upload route. `request.formData()`
 * would buffer the whole body before we could look at it; this reads the signed fields first,
 * lets the caller verify them, and only then streams the file part to disk while counting, so an
 * oversized or unauthorised upload is refused after a few kilobytes, not after ten megabytes.
 * It understands exactly what browsers send (quoted names, CRLF line ends) and nothing fancier.
 */
import { AppError } from "@/lib/errors";

const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_PREAMBLE_BYTES = 1024;

export type PartHeaders = { name: string; filename: string | undefined; contentType: string };

export function boundaryOf(contentType: string | null): string | null {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

const malformed = (what: string) =>
  new AppError("BAD_REQUEST", `malformed multipart body: ${what}`);

export class MultipartReader {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private started = false;
  private closed = false;
  private received = 0;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly dashBoundary: Buffer;
  private readonly delimiter: Buffer;

  /** `bodyLimit` caps every byte read from the stream, whatever the Content-Length claimed. */
  constructor(
    body: ReadableStream<Uint8Array>,
    boundary: string,
    private readonly bodyLimit: number,
  ) {
    this.reader = body.getReader();
    this.dashBoundary = Buffer.from(`--${boundary}`);
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** Bytes read from the stream so far. */
  get bytesReceived(): number {
    return this.received;
  }

  /** The next part's headers, or null after the closing delimiter. */
  async nextPart(): Promise<PartHeaders | null> {
    if (this.closed) return null;
    if (!this.started) {
      await this.skipUntil(this.dashBoundary, MAX_PREAMBLE_BYTES);
      this.started = true;
    }
    await this.fill(2);
    if (this.buffer.subarray(0, 2).toString("latin1") === "--") {
      this.closed = true;
      return null;
    }
    if (!this.buffer.subarray(0, 2).equals(CRLF)) throw malformed("delimiter");
    this.buffer = this.buffer.subarray(2);
    const raw = await this.readUntil(HEADER_END, MAX_HEADER_BYTES);
    return parseHeaders(raw.toString("utf8"));
  }

  /** The current part's body as text (a form field), at most `maxBytes`. */
  async readField(maxBytes: number): Promise<string> {
    return (await this.readUntil(this.delimiter, maxBytes)).toString("utf8");
  }

  /**
   * Streams the current part's body to `sink`; throws PAYLOAD_TOO_LARGE as soon as it passes
   * `maxBytes`. Returns the part's size once its closing delimiter has been seen (a body cut
   * short is an error, never a silently truncated file).
   */
  async pipePart(sink: (chunk: Buffer) => Promise<void>, maxBytes: number): Promise<number> {
    let size = 0;
    const emit = async (chunk: Buffer) => {
      if (chunk.length === 0) return;
      size += chunk.length;
      if (size > maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", "file too large");
      await sink(chunk);
    };
    for (;;) {
      const at = this.buffer.indexOf(this.delimiter);
      if (at >= 0) {
        await emit(this.buffer.subarray(0, at));
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        return size;
      }
      // Everything except a possible partial delimiter at the end is file content.
      const safe = this.buffer.length - (this.delimiter.length - 1);
      if (safe > 0) {
        await emit(this.buffer.subarray(0, safe));
        this.buffer = this.buffer.subarray(safe);
      }
      if (this.ended) throw malformed("truncated");
      await this.pull();
    }
  }

  /** Stops reading (the rest of the body is not wanted). */
  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private async pull(): Promise<void> {
    const { done, value } = await this.reader.read();
    if (done) {
      this.ended = true;
      return;
    }
    this.received += value.byteLength;
    if (this.received > this.bodyLimit) {
      throw new AppError("PAYLOAD_TOO_LARGE", "request body too large");
    }
    this.buffer = this.buffer.length
      ? Buffer.concat([this.buffer, value])
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }

  private async fill(bytes: number): Promise<void> {
    while (this.buffer.length < bytes) {
      if (this.ended) throw malformed("truncated");
      await this.pull();
    }
  }

  private async readUntil(marker: Buffer, maxBytes: number): Promise<Buffer> {
    for (;;) {
      const at = this.buffer.indexOf(marker);
      if (at >= 0) {
        if (at > maxBytes) throw malformed("part too long");
        const out = Buffer.from(this.buffer.subarray(0, at));
        this.buffer = this.buffer.subarray(at + marker.length);
        return out;
      }
      if (this.buffer.length > maxBytes + marker.length) throw malformed("part too long");
      if (this.ended) throw malformed("truncated");
      await this.pull();
    }
  }

  private async skipUntil(marker: Buffer, maxBytes: number): Promise<void> {
    await this.readUntil(marker, maxBytes);
  }
}

function parseHeaders(block: string): PartHeaders {
  let disposition: string | undefined;
  let contentType = "text/plain";
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed("part header");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    else if (name === "content-type") contentType = value;
  }
  if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw malformed("disposition");
  const name = paramOf(disposition, "name");
  if (name === undefined) throw malformed("part name");
  return { name, filename: paramOf(disposition, "filename"), contentType };
}

function paramOf(disposition: string, param: string): string | undefined {
  const match = new RegExp(`;\\s*${param}=(?:"([^"]*)"|([^\\s;]*))`, "i").exec(disposition);
  if (!match) return undefined;
  return match[1] ?? match[2] ?? "";
}
