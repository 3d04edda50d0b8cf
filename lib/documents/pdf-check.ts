/**
 * The PDF half of the confirm step. PDFs are stored as uploaded (re-rendering would need a PDF
 * renderer and would lose text), so this check must be strict instead: a PDF that is encrypted
 * (reviewers could not open it, and it hides its content from this scan), carries active content
 * (JavaScript, automatic actions, launch actions, embedded files, forms that submit or run
 * scripts), has too many pages, or cannot be parsed is refused.
 *
 * Two independent looks, because each alone can be fooled:
 *  1. a byte-level scan of every name in the object syntax (stream payloads skipped, so image
 *     and font data cannot cause false alarms), with `#xx` escapes decoded (`/J#53` is `/JS`),
 *     including the objects packed inside compressed object streams, which are inflated under a
 *     size budget (a zip bomb of object streams is refused, not inflated);
 *  2. pdf-lib's parse: every indirect object and the trailer are walked and every dictionary
 *     key and name value compared, so the page tree and the encryption dictionary are read the
 *     way a viewer would read them.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { inflateSync } from "node:zlib";
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFInvalidObject,
  PDFName,
  PDFStream,
  type PDFObject,
} from "@cantoo/pdf-lib";
import { log } from "@/lib/log";

export const DEFAULT_MAX_PDF_PAGES = 10;
/** Total bytes object streams may inflate to before the file is treated as hostile. */
export const MAX_INFLATED_OBJECT_STREAM_BYTES = 64 * 1024 * 1024;

/**
 * Names that make a PDF do something when opened or clicked beyond showing pages: scripts
 * (JavaScript, JS, XFA forms), automatic actions (AA; an OpenAction that runs a script names JS),
 * Launch, go-to into another file, form submission and import, embedded files and rich media.
 */
export const ACTIVE_CONTENT_NAMES = [
  "JavaScript",
  "JS",
  "AA",
  "Launch",
  // Go-to in another file: a link out of the document to a path or URL the uploader chose
  // (a network share, say). Statements and bills link to web pages with /URI, which stays allowed.
  "GoToR",
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

/**
 * pdf-lib reports every object it recovers from with console.warn: plain-text lines in a JSON
 * log, two per broken object — an uploaded PDF full of them would flood the server's log. While a
 * check parses, those warnings are counted instead (AsyncLocalStorage follows the parse across
 * its awaits, so concurrent requests and any other console.warn are untouched) and one structured
 * line says how many there were.
 */
const libraryWarnings = new AsyncLocalStorage<{ count: number }>();
let installedWarn: typeof console.warn | null = null;

function withLibraryWarningsCounted<T>(counter: { count: number }, run: () => Promise<T>) {
  // Wrapped again whenever something replaced console.warn since (a framework patching the
  // console, a test restoring its spy); each wrapper keeps its own predecessor, so a chain never
  // loops back on itself.
  if (console.warn !== installedWarn) {
    const previous = console.warn;
    installedWarn = function warn(...args: unknown[]) {
      const store = libraryWarnings.getStore();
      if (store) store.count += 1;
      else previous.apply(console, args);
    };
    console.warn = installedWarn;
  }
  return libraryWarnings.run(counter, run);
}

export type PdfCheck =
  | { ok: true; pages: number }
  | {
      ok: false;
      reason: "corrupt" | "pdf_encrypted" | "pdf_active_content" | "pdf_too_many_pages";
      detail: string;
    };

const ACTIVE = new Set<string>(ACTIVE_CONTENT_NAMES);
// A PDF name: a solidus then regular characters up to the next delimiter or white space.
const NAME = /\/([^\s/<>[\]()%{}\x00]*)/g;

function decodeName(raw: string): string {
  return raw.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

function findActiveName(text: string): string | undefined {
  for (const match of text.matchAll(NAME)) {
    const name = decodeName(match[1] ?? "");
    if (ACTIVE.has(name)) return name;
  }
  return undefined;
}

type RawScan =
  { ok: true; encrypted: boolean; activeName: string | undefined } | { ok: false; detail: string };

/**
 * Scan the object syntax of the raw file (latin1, one char per byte). Stream payloads are skipped;
 * object streams (/Type /ObjStm) are inflated and scanned as object syntax.
 */
function scanRaw(bytes: Buffer): RawScan {
  const text = bytes.toString("latin1");
  const syntax: string[] = [];
  let inflatedTotal = 0;
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
    // The dictionary of this stream is the tail of the text since the last "obj".
    const ownDict = dictText.slice(dictText.lastIndexOf("obj") + 1);
    if (/\/Type\s*\/ObjStm/.test(ownDict)) {
      if (!/\/FlateDecode/.test(ownDict) && /\/Filter/.test(ownDict)) {
        return { ok: false, detail: "object stream with an unsupported filter" };
      }
      try {
        const payload = bytes.subarray(payloadStart, payloadEnd);
        const inflated = /\/FlateDecode/.test(ownDict)
          ? inflateSync(payload, {
              maxOutputLength: MAX_INFLATED_OBJECT_STREAM_BYTES - inflatedTotal + 1,
              finishFlush: 2, // Z_SYNC_FLUSH: tolerate the end-of-line before "endstream"
            })
          : payload;
        inflatedTotal += inflated.length;
        if (inflatedTotal > MAX_INFLATED_OBJECT_STREAM_BYTES) {
          return { ok: false, detail: "object streams inflate beyond the limit" };
        }
        syntax.push(inflated.toString("latin1"));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "ERR_BUFFER_TOO_LARGE") {
          return { ok: false, detail: "object streams inflate beyond the limit" };
        }
        return { ok: false, detail: "object stream does not inflate" };
      }
    }
    if (end < 0) break;
    pos = end;
  }
  const all = syntax.join("\n");
  const encrypted = /\/Encrypt\b/.test(decodeName(all));
  return { ok: true, encrypted, activeName: findActiveName(all) };
}

/** Walk a parsed object graph; returns the first active-content name found, if any. */
function findActiveInObject(root: PDFObject, seen: Set<PDFObject>): string | undefined {
  const stack: PDFObject[] = [root];
  while (stack.length) {
    const obj = stack.pop()!;
    if (seen.has(obj)) continue;
    seen.add(obj);
    if (obj instanceof PDFName) {
      const name = obj.decodeText();
      if (ACTIVE.has(name)) return name;
    } else if (obj instanceof PDFStream) {
      stack.push(obj.dict);
    } else if (obj instanceof PDFDict) {
      for (const [key, value] of obj.entries()) {
        const name = key.decodeText();
        if (ACTIVE.has(name)) return name;
        stack.push(value);
      }
    } else if (obj instanceof PDFArray) {
      for (let i = 0; i < obj.size(); i++) stack.push(obj.get(i));
    }
  }
  return undefined;
}

/** Bytes after the last %%EOF other than white space or NULs: something was appended. */
function hasTrailingData(bytes: Buffer): boolean {
  const eof = bytes.lastIndexOf("%%EOF");
  if (eof < 0) return true;
  for (let i = eof + 5; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x0a && b !== 0x0d && b !== 0x20 && b !== 0x09 && b !== 0x00 && b !== 0x0c) {
      return true;
    }
  }
  return false;
}

export async function checkPdf(
  bytes: Buffer,
  options: { maxPages?: number } = {},
): Promise<PdfCheck> {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PDF_PAGES;
  const raw = scanRaw(bytes);
  if (!raw.ok) return { ok: false, reason: "corrupt", detail: raw.detail };
  if (raw.encrypted) return { ok: false, reason: "pdf_encrypted", detail: "/Encrypt present" };
  if (raw.activeName) {
    return { ok: false, reason: "pdf_active_content", detail: `/${raw.activeName}` };
  }
  if (hasTrailingData(bytes)) {
    // Bytes a viewer ignores but another parser might not (a PDF/HTML or PDF/ZIP polyglot).
    return { ok: false, reason: "corrupt", detail: "data after the end of the PDF" };
  }

  let doc: PDFDocument;
  const repairs = { count: 0 };
  try {
    doc = await withLibraryWarningsCounted(repairs, () =>
      PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false }),
    );
  } catch (error) {
    return { ok: false, reason: "corrupt", detail: (error as Error).message.split("\n")[0] ?? "" };
  }
  // @cantoo/pdf-lib keeps an object it cannot parse as a PDFInvalidObject without a warning (its
  // load() drops `warnOnInvalidObjects` unless a password is given): count those as repairs too.
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFInvalidObject) repairs.count += 1;
  }
  if (repairs.count > 0) log.info("documents.pdf_repaired", { warnings: repairs.count });
  if (doc.isEncrypted) return { ok: false, reason: "pdf_encrypted", detail: "trailer /Encrypt" };

  const seen = new Set<PDFObject>();
  const roots: PDFObject[] = [doc.context.trailerInfo.Root, doc.context.trailerInfo.Info].filter(
    (o): o is PDFObject => o !== undefined,
  );
  for (const [, obj] of doc.context.enumerateIndirectObjects()) roots.push(obj);
  for (const root of roots) {
    const name = findActiveInObject(root, seen);
    if (name) return { ok: false, reason: "pdf_active_content", detail: `/${name}` };
  }

  let pages: number;
  try {
    pages = doc.getPageCount();
  } catch (error) {
    return { ok: false, reason: "corrupt", detail: (error as Error).message.split("\n")[0] ?? "" };
  }
  if (pages < 1) return { ok: false, reason: "corrupt", detail: "no pages" };
  if (pages > maxPages) {
    return { ok: false, reason: "pdf_too_many_pages", detail: `${pages} pages > ${maxPages}` };
  }
  return { ok: true, pages };
}
