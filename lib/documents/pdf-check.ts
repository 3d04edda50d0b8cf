/**
 * The PDF half of the confirm step. PDFs are stored as uploaded (re-rendering would need a PDF
 * renderer and would lose text), so this check must be strict instead: a PDF that is encrypted
 * (reviewers could not open it, and it hides its content from this scan), carries active content
 * (JavaScript, automatic actions, launch actions, embedded files, forms that submit or run
 * scripts, an open action that does anything but go to a page), has too many pages, or cannot be
 * parsed is refused.
 *
 * Two independent looks, because each alone can be fooled:
 *  1. a byte-level scan of every name in the object syntax (stream payloads skipped, so image
 *     and font data cannot cause false alarms), with `#xx` escapes decoded (`/J#53` is `/JS`),
 *     including the objects packed inside compressed object streams;
 *  2. pdf-lib's parse: every indirect object and the trailer are walked and every dictionary
 *     key and name value compared, so the page tree, the open action and the encryption
 *     dictionary are read the way a viewer would read them.
 *
 * Hostile input is bounded three ways (a 31 KB file can inflate to 32 MB of names, and pdf-lib
 * turns each into an object):
 *  - everything runs in a worker thread (eval-worker.ts) with a heap limit and a timeout, so the
 *    event loop keeps serving other traders and the server's memory is not the file's to take;
 *    pdf-lib also keeps every name it ever parsed in a process-wide pool, which dies with the
 *    worker instead of growing in the server;
 *  - every stream pdf-lib inflates while loading (object streams and cross-reference streams,
 *    whatever their names are spelled like: pdf-lib decodes `/Obj#53tm` to `/ObjStm` too) goes
 *    through zlib under one byte budget, by replacing pdf-lib's decoder inside the worker, and
 *    the scan's own inflating has the same budget;
 *  - an overrun of any of them is a refusal, never an accept: pdf-lib recovers from errors
 *    inside objects, so an overrun is recorded where it happens and checked after the parse.
 */
import type * as PdfLib from "@cantoo/pdf-lib";
// Unused on this thread: the import is what makes the server build's file tracing ship the
// package into the standalone server's node_modules, where the worker requires it by name.
import "@cantoo/pdf-lib";
import type * as Zlib from "node:zlib";
import { log } from "@/lib/log";
import { WarmWorkers } from "./eval-worker";

export const DEFAULT_MAX_PDF_PAGES = 10;
/**
 * Bytes the streams pdf-lib inflates while loading (object and cross-reference streams: page
 * dictionaries, fonts' dictionaries, offsets, never page content or images) may inflate to, per
 * look. A ten-page statement needs kilobytes; 4 MB leaves room for long, odd documents, and
 * parsing the worst 4 MB (every name distinct) takes pdf-lib about 2.5 s in the worker, well
 * within its limits (8 MB of one repeated name: 2.7 s; 15 MB of distinct names: out of memory).
 */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
/** How long one PDF check may take before its worker is terminated and the file refused. */
export const PDF_CHECK_TIMEOUT_MS = 10_000;
/** The check's V8 heap; the file and inflated bytes live outside it (at most 10 + 2 × 4 MB). */
export const PDF_CHECK_HEAP_MB = 192;

/**
 * Names that make a PDF do something when opened or clicked beyond showing pages: scripts
 * (JavaScript, JS, XFA forms, a 3D or rich-media /OnInstantiate script), automatic actions (AA;
 * an OpenAction that runs a script names JS), Launch, go-to into another file or into an
 * embedded one, named viewer commands (print, save…), layer switching, form submission and
 * import, embedded files and rich media.
 */
export const ACTIVE_CONTENT_NAMES = [
  "JavaScript",
  "JS",
  "AA",
  "OnInstantiate",
  "Launch",
  // Go-to in another file: a link out of the document to a path or URL the uploader chose
  // (a network share, say). Statements and bills link to web pages with /URI, which stays allowed.
  "GoToR",
  // Go-to into an embedded file, or from an embedded file back into its parent.
  "GoToE",
  // /S /Named runs a viewer command (Print, SaveAs, …).
  "Named",
  // Shows or hides optional-content layers: what the reviewer sees could differ from the print.
  "SetOCGState",
  "EmbeddedFile",
  "EmbeddedFiles",
  "RichMedia",
  // Media that plays in the viewer (a /Rendition action can carry its own script); no statement,
  // bill or identity scan needs it.
  "Rendition",
  "Movie",
  "Sound",
  "SubmitForm",
  "ImportData",
  "XFA",
] as const;

export type PdfCheck =
  | { ok: true; pages: number }
  | {
      ok: false;
      reason: "corrupt" | "pdf_encrypted" | "pdf_active_content" | "pdf_too_many_pages";
      detail: string;
    };

type Settings = { maxPages: number; maxInflatedBytes: number; activeNames: readonly string[] };

/** The worker's answer: the verdict, and how many objects pdf-lib had to repair. */
type Answer = { verdict: PdfCheck; repairs: number };

/**
 * The whole check, as the worker runs it. Self-contained — no imports, no outer names — because
 * the worker runs its source text (`checkPdfWith.toString()`); pdf-lib and zlib come in as
 * arguments. It installs its bounded decoder into pdf-lib, which is fine only because the worker
 * is fresh for every file and dies after it.
 */
async function checkPdfWith(
  lib: typeof PdfLib,
  zlib: typeof Zlib,
  input: Uint8Array,
  settings: Settings,
): Promise<Answer> {
  type Verdict = PdfCheck;
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const active = new Set(settings.activeNames);
  const refuse = (reason: Exclude<Verdict, { ok: true }>["reason"], detail: string): Verdict => ({
    ok: false,
    reason,
    detail,
  });
  let repairs = 0;
  const firstLine = (error: unknown) =>
    String((error as Error | undefined)?.message ?? error).split("\n")[0] ?? "";

  /** Inflate under a budget shared by all calls with the same `spent`; throws past it. */
  const overBudget = "inflates beyond the limit";
  const inflate = (payload: Uint8Array, spent: { bytes: number }): Buffer => {
    const remaining = settings.maxInflatedBytes - spent.bytes;
    let out: Buffer;
    try {
      out = zlib.inflateSync(payload, {
        maxOutputLength: Math.max(1, remaining + 1),
        finishFlush: zlib.constants.Z_SYNC_FLUSH, // tolerate the end-of-line before "endstream"
      });
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new Error(overBudget);
      throw new Error("does not inflate");
    }
    spent.bytes += out.length;
    if (spent.bytes > settings.maxInflatedBytes) throw new Error(overBudget);
    return out;
  };

  const decodeName = (raw: string) =>
    raw.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  // A PDF name: a solidus then regular characters up to the next delimiter or white space.
  const NAME = /\/([^\s/<>[\]()%{}\x00]*)/g;
  const findActiveName = (text: string) => {
    for (const match of text.matchAll(NAME)) {
      const name = decodeName(match[1] ?? "");
      if (active.has(name)) return name;
    }
    return undefined;
  };

  /**
   * Look 1: the object syntax of the raw file (latin1, one char per byte). Stream payloads are
   * skipped; object streams are inflated and scanned as object syntax. Names are decoded before
   * any decision, so `/Obj#53tm` is an object stream here as it is for pdf-lib.
   */
  const scanRaw = ():
    | { ok: true; encrypted: boolean; activeName: string | undefined }
    | { ok: false; detail: string } => {
    const text = bytes.toString("latin1");
    const syntax: string[] = [];
    const spent = { bytes: 0 };
    let pos = 0;
    const streamKeyword = /stream\r?\n/g;
    for (;;) {
      streamKeyword.lastIndex = pos;
      const start = streamKeyword.exec(text);
      // "endstream" also ends in "stream"; only a keyword not preceded by "end" opens a payload.
      if (start && text.slice(Math.max(0, start.index - 3), start.index) === "end") {
        syntax.push(text.slice(pos, start.index + start[0].length));
        pos = start.index + start[0].length;
        continue;
      }
      if (!start) {
        syntax.push(text.slice(pos));
        break;
      }
      const dictText = text.slice(pos, start.index);
      syntax.push(dictText);
      const payloadStart = start.index + start[0].length;
      const end = text.indexOf("endstream", payloadStart);
      const payloadEnd = end < 0 ? text.length : end;
      // The dictionary of this stream: the text since its object header ("12 0 obj").
      const headers = [...dictText.matchAll(/\d+\s+\d+\s+obj\b/g)];
      const header = headers[headers.length - 1];
      const ownDict = decodeName(
        header ? dictText.slice(header.index + header[0].length) : dictText,
      );
      if (/\/Type\s*\/ObjStm\b/.test(ownDict)) {
        const flate = /\/FlateDecode\b/.test(ownDict);
        if (!flate && /\/Filter\b/.test(ownDict)) {
          return { ok: false, detail: "object stream with an unsupported filter" };
        }
        try {
          const payload = bytes.subarray(payloadStart, payloadEnd);
          syntax.push((flate ? inflate(payload, spent) : payload).toString("latin1"));
        } catch (error) {
          return { ok: false, detail: `object stream ${firstLine(error)}` };
        }
      }
      if (end < 0) break;
      pos = end;
    }
    const all = syntax.join("\n");
    const encrypted = /\/Encrypt\b/.test(decodeName(all));
    return { ok: true, encrypted, activeName: findActiveName(all) };
  };

  /** Bytes after the last %%EOF other than white space or NULs: something was appended. */
  const hasTrailingData = () => {
    const eof = bytes.lastIndexOf("%%EOF");
    if (eof < 0) return true;
    for (let i = eof + 5; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b !== 0x0a && b !== 0x0d && b !== 0x20 && b !== 0x09 && b !== 0x00 && b !== 0x0c) {
        return true;
      }
    }
    return false;
  };

  /**
   * Every stream pdf-lib decodes while loading goes through ByteStream.fromPDFRawStream (object
   * streams, cross-reference streams). Its own decoder inflates without a limit, so it is
   * replaced by zlib under the budget; filters other than Flate are refused for these streams
   * (writers use Flate; the others would need budgets of their own). ByteStream is not exported:
   * it is reached through a parser that holds one. Should a pdf-lib release move it, every PDF
   * is refused (and the tests say so) rather than parsed unbounded.
   */
  const parserFailures: string[] = [];
  const installBoundedDecoder = (): boolean => {
    const probe = lib.PDFObjectParser.forBytes(new Uint8Array(0), lib.PDFContext.create());
    const ByteStream = (probe as unknown as { bytes?: { constructor?: unknown } }).bytes
      ?.constructor as
      | {
          of?: (b: Uint8Array) => unknown;
          fromPDFRawStream?: (raw: PdfLib.PDFRawStream) => unknown;
        }
      | undefined;
    if (typeof ByteStream?.of !== "function" || typeof ByteStream.fromPDFRawStream !== "function")
      return false;
    const of = ByteStream.of;
    const flate = lib.PDFName.of("FlateDecode");
    const spent = { bytes: 0 };
    ByteStream.fromPDFRawStream = (raw: PdfLib.PDFRawStream) => {
      try {
        if (raw.transform) throw new Error("an encrypted stream");
        const filter = raw.dict.lookup(lib.PDFName.of("Filter"));
        const contents = raw.getContents();
        if (filter === undefined) return of(contents);
        const only =
          filter instanceof lib.PDFArray && filter.size() === 1 ? filter.lookup(0) : filter;
        if (only !== flate) throw new Error("a stream with an unsupported filter");
        try {
          return of(inflate(contents, spent));
        } catch (error) {
          throw new Error(`a stream ${firstLine(error)}`);
        }
      } catch (error) {
        // pdf-lib catches this and keeps the object as unparsed: the failure is kept here.
        parserFailures.push(firstLine(error));
        throw error;
      }
    };
    return true;
  };

  /** Walk a parsed object graph; returns the first active-content name found, if any. */
  const findActiveInObject = (root: PdfLib.PDFObject, seen: Set<PdfLib.PDFObject>) => {
    const stack: PdfLib.PDFObject[] = [root];
    while (stack.length) {
      const obj = stack.pop()!;
      if (seen.has(obj)) continue;
      seen.add(obj);
      if (obj instanceof lib.PDFName) {
        const name = obj.decodeText();
        if (active.has(name)) return name;
      } else if (obj instanceof lib.PDFStream) {
        stack.push(obj.dict);
      } else if (obj instanceof lib.PDFDict) {
        for (const [key, value] of obj.entries()) {
          const name = key.decodeText();
          if (active.has(name)) return name;
          stack.push(value);
        }
      } else if (obj instanceof lib.PDFArray) {
        for (let i = 0; i < obj.size(); i++) stack.push(obj.get(i));
      }
    }
    return undefined;
  };

  /**
   * What the document does when opened: a destination (a page to show) or a chain of /GoTo
   * actions is navigation; any other action (a URI opened, a named command, a script…) is not.
   * Returns the offending action type.
   */
  const openActionProblem = (doc: PdfLib.PDFDocument): string | undefined => {
    const open = doc.catalog.lookup(lib.PDFName.of("OpenAction"));
    if (open === undefined || open instanceof lib.PDFArray) return undefined;
    if (open instanceof lib.PDFString || open instanceof lib.PDFHexString) return undefined;
    if (open instanceof lib.PDFName) return undefined; // a named destination
    const pending: PdfLib.PDFObject[] = [open];
    const seen = new Set<PdfLib.PDFObject>();
    while (pending.length) {
      const action = pending.pop()!;
      if (seen.has(action)) continue;
      seen.add(action);
      if (!(action instanceof lib.PDFDict)) return "an action that is not a dictionary";
      const type = action.lookup(lib.PDFName.of("S"));
      if (!(type instanceof lib.PDFName) || type.decodeText() !== "GoTo") {
        return type instanceof lib.PDFName ? `/${type.decodeText()}` : "an action without a type";
      }
      const next = action.lookup(lib.PDFName.of("Next"));
      if (next instanceof lib.PDFArray) {
        for (let i = 0; i < next.size(); i++) pending.push(next.lookup(i) as PdfLib.PDFObject);
      } else if (next !== undefined) pending.push(next);
    }
    return undefined;
  };

  const check = async (): Promise<Verdict> => {
    const raw = scanRaw();
    if (!raw.ok) return refuse("corrupt", raw.detail);
    if (raw.encrypted) return refuse("pdf_encrypted", "/Encrypt present");
    if (raw.activeName) return refuse("pdf_active_content", `/${raw.activeName}`);
    if (hasTrailingData()) {
      // Bytes a viewer ignores but another parser might not (a PDF/HTML or PDF/ZIP polyglot).
      return refuse("corrupt", "data after the end of the PDF");
    }

    if (!installBoundedDecoder()) return refuse("corrupt", "PDF parser without a bounded decoder");
    let doc: PdfLib.PDFDocument;
    try {
      doc = await lib.PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
    } catch (error) {
      return refuse("corrupt", firstLine(error));
    }
    const failure = parserFailures[0];
    if (failure !== undefined) return refuse("corrupt", `while parsing: ${failure}`);
    // @cantoo/pdf-lib keeps an object it cannot parse as a PDFInvalidObject without a warning
    // (its load() drops `warnOnInvalidObjects` unless a password is given): count those too.
    for (const [, obj] of doc.context.enumerateIndirectObjects()) {
      if (obj instanceof lib.PDFInvalidObject) repairs += 1;
    }
    if (doc.isEncrypted) return refuse("pdf_encrypted", "trailer /Encrypt");

    const seen = new Set<PdfLib.PDFObject>();
    const roots: PdfLib.PDFObject[] = [
      doc.context.trailerInfo.Root,
      doc.context.trailerInfo.Info,
    ].filter((o): o is PdfLib.PDFObject => o !== undefined);
    for (const [, obj] of doc.context.enumerateIndirectObjects()) roots.push(obj);
    for (const root of roots) {
      const name = findActiveInObject(root, seen);
      if (name) return refuse("pdf_active_content", `/${name}`);
    }
    let problem: string | undefined;
    try {
      problem = openActionProblem(doc);
    } catch (error) {
      return refuse("corrupt", firstLine(error));
    }
    if (problem) return refuse("pdf_active_content", `/OpenAction runs ${problem}`);

    let pages: number;
    try {
      pages = doc.getPageCount();
    } catch (error) {
      return refuse("corrupt", firstLine(error));
    }
    if (pages < 1) return refuse("corrupt", "no pages");
    if (pages > settings.maxPages) {
      return refuse("pdf_too_many_pages", `${pages} pages > ${settings.maxPages}`);
    }
    return { ok: true, pages };
  };

  // pdf-lib reports what it repairs with console.warn: counted, and one structured line is
  // logged by the server (a PDF full of broken objects must not flood the log).
  console.warn = () => {
    repairs += 1;
  };
  const verdict = await check();
  return { verdict, repairs };
}

// `__name`: esbuild (tsx) wraps functions it keeps the names of; a no-op here. The libraries
// load first; the file comes as the one message the worker gets.
const WORKER_SOURCE = `
const __name = (target) => target;
const { parentPort } = require("node:worker_threads");
const lib = require("@cantoo/pdf-lib");
const zlib = require("node:zlib");
const checkPdfWith = ${checkPdfWith.toString()};
parentPort.once("message", ({ input, settings }) =>
  checkPdfWith(lib, zlib, input, settings).then(
    (answer) => parentPort.postMessage(answer),
    (error) => parentPort.postMessage({
      verdict: { ok: false, reason: "corrupt", detail: String((error && error.message) || error).split("\\n")[0] },
      repairs: 0,
    }),
  ),
);
`;

const resourceLimits = (heapMb: number) => ({
  maxOldGenerationSizeMb: heapMb,
  maxYoungGenerationSizeMb: 16,
  stackSizeMb: 4,
});
const workers = new WarmWorkers(WORKER_SOURCE, resourceLimits(PDF_CHECK_HEAP_MB));

export type PdfCheckOptions = {
  maxPages?: number;
  /** Overrides for the limits, for tests. */
  timeoutMs?: number;
  heapMb?: number;
  maxInflatedBytes?: number;
};

/** Check one PDF in a worker of its own; never throws. */
export async function checkPdf(bytes: Buffer, options: PdfCheckOptions = {}): Promise<PdfCheck> {
  const settings: Settings = {
    maxPages: options.maxPages ?? DEFAULT_MAX_PDF_PAGES,
    maxInflatedBytes: options.maxInflatedBytes ?? MAX_INFLATED_BYTES,
    activeNames: ACTIVE_CONTENT_NAMES,
  };
  // A copy the worker owns: the caller's buffer may be a slice of a shared pool.
  const input = new Uint8Array(bytes);
  const started = Date.now();
  const job = {
    timeoutMs: options.timeoutMs ?? PDF_CHECK_TIMEOUT_MS,
    transferList: [input.buffer],
  };
  // Another heap size (tests) gets a worker of its own, started for the job.
  const pool =
    options.heapMb === undefined
      ? workers
      : new WarmWorkers(WORKER_SOURCE, resourceLimits(options.heapMb), false);
  const run = await pool.run<Answer>({ input, settings }, job);
  const ms = Date.now() - started;
  switch (run.kind) {
    case "answer":
      if (run.value.repairs > 0)
        log.info("documents.pdf_repaired", { warnings: run.value.repairs });
      return run.value.verdict;
    case "timeout":
      log.warn("documents.pdf_check_limit", { limit: "time", ms });
      return { ok: false, reason: "corrupt", detail: "PDF check took too long" };
    case "out_of_memory":
      log.warn("documents.pdf_check_limit", { limit: "memory", ms });
      return { ok: false, reason: "corrupt", detail: "PDF check ran out of memory" };
    case "unavailable":
    case "failed":
      // Not the file's fault, but nothing checked it: refused all the same.
      log.error("documents.pdf_check_failed", { error: run.error });
      return { ok: false, reason: "corrupt", detail: "PDF check did not run" };
  }
}
